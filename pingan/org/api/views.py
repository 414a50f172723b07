from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import CanPermission, ScopedModelViewSet, ScopedReadOnlyViewSet
from pingan.geo.api.views import CRS_CHOICES, CRS_PARAM, request_crs
from pingan.geo.crs import from_storage
from pingan.geo.models import Division

from ..actions import do_create_enterprise, do_update_enterprise
from ..choices import Industry, Scale
from ..models import Department, Enterprise, User


def _subtree(qs: Any, value: str, field: str = "division") -> Any:
    root = Division.objects.filter(code=value).only("path").first()
    return qs.filter(**{f"{field}__path__startswith": root.path}) if root else qs.none()


class DepartmentSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "sector",
            "kind",
            "division",
            "division_code",
            "parent",
            "parent_code",
            "phone",
            "is_active",
        ]


class DepartmentFilter(django_filters.FilterSet):
    division_code = django_filters.CharFilter(
        method="filter_within", label="division code: the whole subtree"
    )
    q = django_filters.CharFilter(method="filter_q", label="name contains, or code starts with")

    class Meta:
        model = Department
        fields = ["sector", "kind", "division", "parent", "code", "is_active"]

    def filter_within(self, qs: Any, name: str, value: str) -> Any:
        return _subtree(qs, value)

    def filter_q(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(Q(name__contains=value) | Q(short_name__contains=value) | Q(code__startswith=value))


class DepartmentViewSet(ScopedReadOnlyViewSet):
    """The directory of government bodies (every signed-in staff or enterprise person may read it)."""

    queryset = Department.objects.select_related("division", "parent").defer("division__geometry")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    ordering_fields = ["code", "name"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    division_code = serializers.CharField(source="division.code", read_only=True, default=None)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "role",
            "division",
            "division_code",
            "department",
            "enterprise",
            "is_active",
        ]


class PersonFilter(django_filters.FilterSet):
    division_code = django_filters.CharFilter(
        method="filter_within", label="division code: the whole subtree"
    )

    class Meta:
        model = User
        fields = ["role", "division", "department", "enterprise", "is_active"]

    def filter_within(self, qs: Any, name: str, value: str) -> Any:
        return _subtree(qs, value)


class PersonViewSet(ScopedReadOnlyViewSet):
    """People within the caller's area (enterprise users: their colleagues; the public: themselves)."""

    queryset = User.objects.select_related("division").defer("division__geometry").order_by("username")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter


class PointMixin(serializers.Serializer):
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()

    def _point(self, obj: Any) -> tuple[float | None, float | None]:
        if obj.lat is None or obj.lon is None:
            return None, None
        return from_storage(obj.lat, obj.lon, request_crs(self.context.get("request")))

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lat(self, obj: Any) -> float | None:
        return self._point(obj)[0]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lon(self, obj: Any) -> float | None:
        return self._point(obj)[1]


class EnterpriseSerializer(PointMixin, serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)
    supervising_department_codes = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "industry",
            "scale",
            "address",
            "lat",
            "lon",
            "division",
            "division_code",
            "supervising_departments",
            "supervising_department_codes",
            "key_supervision",
            "legal_representative",
            "principal",
            "contact_phone",
            "employees",
            "is_synthetic",
            "is_active",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_supervising_department_codes(self, obj: Enterprise) -> list[str]:
        return [d.code for d in obj.supervising_departments.all()]


class EnterpriseWriteSerializer(serializers.Serializer):
    """What a client sends to register or change an enterprise. Points are in `crs` (query parameter)."""

    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(
        max_length=30, help_text="统一社会信用代码 (GB 32100-2015), checked with its check character"
    )
    industry = serializers.ChoiceField(choices=Industry.choices)
    scale = serializers.ChoiceField(choices=Scale.choices, required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    division_code = serializers.CharField(
        max_length=15, required=False, help_text="code of the division (or give `division` as an id)"
    )
    division = serializers.IntegerField(required=False)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    supervising_departments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="department ids"
    )
    supervising_department_codes = serializers.ListField(child=serializers.CharField(), required=False)
    key_supervision = serializers.BooleanField(required=False)
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    principal = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    employees = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not self.partial and "division" not in attrs and "division_code" not in attrs:
            raise serializers.ValidationError({"division_code": "required"}, code="required")
        return attrs

    def to_action_data(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        code = data.pop("division_code", None)
        if code is not None:
            data["division"] = code
        codes = data.pop("supervising_department_codes", None)
        if codes is not None:
            data["supervising_departments"] = list(data.get("supervising_departments", [])) + codes
        return data


class EnterpriseFilter(django_filters.FilterSet):
    division_code = django_filters.CharFilter(
        method="filter_within", label="division code: the whole subtree"
    )
    q = django_filters.CharFilter(method="filter_q", label="name contains, or USCC starts with")
    supervising_department = django_filters.NumberFilter(field_name="supervising_departments")

    class Meta:
        model = Enterprise
        fields = ["industry", "scale", "division", "key_supervision", "is_active", "is_synthetic", "uscc"]

    def filter_within(self, qs: Any, name: str, value: str) -> Any:
        return _subtree(qs, value)

    def filter_q(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(Q(name__contains=value) | Q(uscc__startswith=value.upper()))


@extend_schema(parameters=[CRS_PARAM])
class EnterpriseViewSet(ScopedModelViewSet):
    """The enterprise register (生产经营单位), scoped to the caller's area.

    City administrators and department staff register (POST) and change (PATCH) enterprises within
    their area; every change is audited. Others may read what their scope shows; outside it is 404.
    """

    queryset = (
        Enterprise.objects.select_related("division")
        .defer("division__geometry")
        .prefetch_related(Prefetch("supervising_departments", Department.objects.only("id", "code")))
    )
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Reads are what visible_to shows the signed-in caller; writes ask org's permissions (the same
    # functions the console and the actions ask): 403 before the body is even validated.
    permission_classes = [IsAuthenticated, CanPermission]
    permission_map = {
        "list": None,
        "retrieve": None,
        "metadata": None,
        "create": "org.create_enterprise",
        "partial_update": "org.edit_enterprise",
    }

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "partial_update"):
            return EnterpriseWriteSerializer
        return EnterpriseSerializer

    def _read(self, enterprise: Enterprise, status_code: int) -> Response:
        fresh = (
            self.get_queryset()
            .model.objects.prefetch_related("supervising_departments")
            .select_related("division")
            .get(pk=enterprise.pk)
        )
        return Response(
            EnterpriseSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(request=EnterpriseWriteSerializer, responses={201: EnterpriseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        crs = request_crs(request)
        serializer = EnterpriseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = do_create_enterprise(request.user, serializer.to_action_data(), crs=crs)
        return self._read(enterprise, status.HTTP_201_CREATED)

    @extend_schema(request=EnterpriseWriteSerializer(partial=True), responses={200: EnterpriseSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        crs = request_crs(request)
        enterprise = self.get_object()  # 404 outside the caller's scope
        serializer = EnterpriseWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        enterprise = do_update_enterprise(request.user, enterprise, serializer.to_action_data(), crs=crs)
        return self._read(enterprise, status.HTTP_200_OK)


__all__ = ["CRS_CHOICES", "DepartmentViewSet", "EnterpriseViewSet", "PersonViewSet"]
