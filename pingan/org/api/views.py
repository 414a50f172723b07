from __future__ import annotations

from rest_framework import serializers

from pingan.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet

from ..models import Department, Enterprise, User


class DepartmentSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "code", "sector", "kind", "division", "division_code", "parent",
                  "phone", "is_active"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "division", "department", "enterprise", "is_active"]


class EnterpriseSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc", "industry", "scale", "address", "lat", "lon", "division", "division_code",
                  "supervising_departments", "key_supervision", "principal", "contact_phone", "employees",
                  "is_synthetic", "is_active"]


class DepartmentViewSet(ScopedReadOnlyViewSet):
    queryset = Department.objects.select_related("division").all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["sector", "kind", "division"]


class PersonViewSet(ScopedReadOnlyViewSet):
    queryset = User.objects.all()
    serializer_class = PersonSerializer
    filterset_fields = ["role", "division", "department"]


class EnterpriseViewSet(ScopedModelViewSet):
    queryset = Enterprise.objects.select_related("division").prefetch_related("supervising_departments")
    serializer_class = EnterpriseSerializer
    filterset_fields = ["industry", "scale", "division", "key_supervision"]
    http_method_names = ["get", "head", "options"]
