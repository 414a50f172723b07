from __future__ import annotations

from rest_framework import serializers

from ..choices import LicenceKind, LicenceState, StopReason
from ..models import Application, ClockStop, Licence


class ClockStopSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClockStop
        fields = ["reason", "started_on", "ended_on", "working_days", "note"]


class LicenceApplicationSerializer(serializers.ModelSerializer):
    stops = ClockStopSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "enterprise",
            "kind",
            "project",
            "scope",
            "materials",
            "missing",
            "missing_told_at",
            "state",
            "received_at",
            "accepted_at",
            "due_on",
            "stopped_days",
            "decided_at",
            "decision_note",
            "stops",
        ]


class LicenceApplySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    scope = serializers.CharField(max_length=300)
    project = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    materials = serializers.ListField(child=serializers.CharField(max_length=40), default=list)


class LicenceSupplementSerializer(serializers.Serializer):
    materials = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False)


class LicenceStopSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=StopReason.choices)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class LicenceDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    scope = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = [
            "id",
            "number",
            "application",
            "enterprise",
            "kind",
            "scope",
            "valid_from",
            "valid_until",
            "renewal_opens",
            "state",
            "state_note",
            "issued_at",
        ]


class LicenceSanctionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=LicenceState.choices)
    reason = serializers.CharField(max_length=300)
