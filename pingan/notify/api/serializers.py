from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import WEBHOOK_KINDS
from ..models import Message, Preference


class MessageSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "event", "title", "body", "url", "urgent", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj: Message) -> bool:
        return obj.read_at is None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("标为已读的条数"))


class PreferenceSerializer(serializers.ModelSerializer):
    """The caller's channels. `webhook_secret` is write-only: an empty or missing value keeps the
    stored secret; `clear_webhook_secret: true` removes it."""

    webhook_kind = serializers.ChoiceField(choices=WEBHOOK_KINDS, allow_blank=True, required=False)
    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)
    webhook_secret_set = serializers.SerializerMethodField()
    clear_webhook_secret = serializers.BooleanField(write_only=True, required=False, default=False)
    # null until the person first saves their preferences (`me` answers the defaults unsaved)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Preference
        fields = [
            "email",
            "sms",
            "webhook_url",
            "webhook_kind",
            "webhook_secret",
            "webhook_secret_set",
            "clear_webhook_secret",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"webhook_url": {"required": False, "allow_blank": True}}

    def get_webhook_secret_set(self, obj: Preference) -> bool:
        return bool(obj.webhook_secret)
