from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.actions import ActionError
from pingan.core.api import CanPermission, ScopedViewSetMixin
from pingan.org.models import Enterprise

from .. import actions, selectors
from ..models import Application, Licence
from .serializers import (
    LicenceApplicationSerializer,
    LicenceApplySerializer,
    LicenceDecideSerializer,
    LicenceSanctionSerializer,
    LicenceSerializer,
    LicenceStopSerializer,
    LicenceSupplementSerializer,
)


class ReadOnly(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanPermission]


class ApplicationViewSet(ReadOnly):
    """Licence applications: the enterprise applies and supplements; the office accepts, tells the
    missing materials once, stops and resumes the clock, and decides."""

    queryset = Application.objects.all()
    serializer_class = LicenceApplicationSerializer
    permission_map = {
        "list": "licensing.view",
        "retrieve": "licensing.view",
        "create": "licensing.apply",
        "supplement": "licensing.supplement",
        "request_materials": "licensing.review",
        "accept": "licensing.review",
        "stop_clock": "licensing.review",
        "resume_clock": "licensing.review",
        "decide": "licensing.review",
    }

    def get_queryset(self) -> Any:
        return selectors.applications(self.request.user)

    def _done(self) -> Response:
        return Response(LicenceApplicationSerializer(self.get_object()).data)

    @extend_schema(request=LicenceApplySerializer, responses={201: LicenceApplicationSerializer})
    def create(self, request: Request) -> Response:
        data = LicenceApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = Enterprise.objects.filter(pk=getattr(request.user, "enterprise_id", None)).first()
        if enterprise is None:
            raise ActionError(_("只能为本单位申请许可"), field="enterprise")
        app = actions.do_apply(request.user, enterprise, **data.validated_data)
        return Response(LicenceApplicationSerializer(app).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LicenceSupplementSerializer, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"])
    def supplement(self, request: Request, pk: str | None = None) -> Response:
        data = LicenceSupplementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_supplement(request.user, self.get_object(), materials=data.validated_data["materials"])
        return self._done()

    @extend_schema(request=None, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="request-materials")
    def request_materials(self, request: Request, pk: str | None = None) -> Response:
        actions.do_request_materials(request.user, self.get_object())
        return self._done()

    @extend_schema(request=None, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        actions.do_accept(request.user, self.get_object())
        return self._done()

    @extend_schema(request=LicenceStopSerializer, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="stop-clock")
    def stop_clock(self, request: Request, pk: str | None = None) -> Response:
        data = LicenceStopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_stop_clock(request.user, self.get_object(), **data.validated_data)
        return self._done()

    @extend_schema(request=None, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="resume-clock")
    def resume_clock(self, request: Request, pk: str | None = None) -> Response:
        actions.do_resume_clock(request.user, self.get_object())
        return self._done()

    @extend_schema(request=LicenceDecideSerializer, responses={200: LicenceApplicationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        data = LicenceDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_decide(request.user, self.get_object(), **data.validated_data)
        return self._done()


class LicenceViewSet(ReadOnly):
    queryset = Licence.objects.all()
    serializer_class = LicenceSerializer
    permission_map = {
        "list": "licensing.view",
        "retrieve": "licensing.view",
        "sanction": "licensing.sanction",
    }

    def get_queryset(self) -> Any:
        return selectors.licences(self.request.user)

    @extend_schema(request=LicenceSanctionSerializer, responses={200: LicenceSerializer})
    @action(detail=True, methods=["post"])
    def sanction(self, request: Request, pk: str | None = None) -> Response:
        data = LicenceSanctionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = actions.do_sanction(request.user, self.get_object(), **data.validated_data)
        return Response(LicenceSerializer(licence).data)
