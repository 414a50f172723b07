"""Console pages (the application form, lists, the application with its acts, licences) and the
portal's tracking page. Each act asks the same action the API does; the page offers a button only
where `{% can %}` allows it and the state permits it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError, Forbidden, get_visible_or_404
from pingan.core.permissions import console_view, may

from . import actions, rules, selectors
from .choices import ApplicationState, LicenceKind, LicenceState, Material, StopReason
from .models import Application, Licence


def _act(request: HttpRequest, do: Callable[[], Any], back: str, done: str | None = None) -> HttpResponse:
    try:
        do()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done or _("已完成"))
    return redirect(back)


def _labels(codes: list[str]) -> list[str]:
    names = dict(Material.choices)
    return [str(names.get(c, c)) for c in codes]


@console_view("licensing.view")
def application_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = getattr(user, "enterprise", None)
    if request.method == "POST":
        if own is None or not may(user, "licensing.apply", own):
            raise PermissionDenied
        p = request.POST
        holder: dict[str, Application] = {}

        def run() -> None:
            holder["app"] = actions.do_apply(
                user,
                own,
                kind=p.get("kind", ""),
                scope=p.get("scope", ""),
                project=p.get("project", ""),
                materials=p.getlist("materials"),
            )

        try:
            run()
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('licensing:list')}?kind={p.get('kind', '')}")
        messages.success(request, _("申请已提交,申请编号 %(number)s") % {"number": holder["app"].number})
        return redirect("licensing:detail", pk=holder["app"].pk)
    page = Paginator(selectors.applications(user), 50).get_page(request.GET.get("page"))
    kind = request.GET.get("kind", "")
    form_materials = []
    if kind in LicenceKind.values:
        form_materials = list(
            zip(rules.required_materials(kind), _labels(list(rules.required_materials(kind))), strict=True)
        )
    return render(
        request,
        "licensing/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "may_apply": own is not None and may(user, "licensing.apply", own),
            "kinds": LicenceKind.choices,
            "kind": kind,
            "form_materials": form_materials,
        },
    )


@console_view("licensing.view")
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_visible_or_404(selectors.applications(request.user), request.user, pk=pk)
    required = list(rules.required_materials(app.kind))
    return render(
        request,
        "licensing/detail.html",
        {
            "app": app,
            "checklist": [
                (label, code in app.materials)
                for code, label in zip(required, _labels(required), strict=True)
            ],
            "missing": list(zip(app.missing, _labels(app.missing), strict=True)),
            "incomplete": bool(rules.missing_materials(app.kind, app.materials)),
            "reasons": StopReason.choices,
            "licence": Licence.objects.filter(application=app).first(),
            "limit_days": rules.TYPES[app.kind]["days"],
        },
    )


@console_view("licensing.view")
def application_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    app = get_visible_or_404(Application.objects.all(), request.user, pk=pk)
    p, user = request.POST, request.user
    acts: dict[str, Callable[[], Any]] = {
        "accept": lambda: actions.do_accept(user, app),
        "request-materials": lambda: actions.do_request_materials(user, app),
        "supplement": lambda: actions.do_supplement(user, app, materials=p.getlist("materials")),
        "stop": lambda: actions.do_stop_clock(user, app, reason=p.get("reason", ""), note=p.get("note", "")),
        "resume": lambda: actions.do_resume_clock(user, app),
        "approve": lambda: actions.do_decide(user, app, approve=True, scope=p.get("scope", "")),
        "refuse": lambda: actions.do_decide(user, app, approve=False, note=p.get("note", "")),
    }
    if verb not in acts:
        raise Http404
    return _act(request, acts[verb], reverse("licensing:detail", args=[app.pk]))


@console_view("licensing.view")
def licence_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.licences(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "licensing/licences.html",
        {"page": page, "rows": page.object_list, "states": LicenceState.choices},
    )


@console_view("licensing.view")
def licence_act(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    licence = get_visible_or_404(Licence.objects.all(), request.user, pk=pk)
    return _act(
        request,
        lambda: actions.do_sanction(
            request.user, licence, state=request.POST.get("state", ""), reason=request.POST.get("reason", "")
        ),
        reverse("licensing:licences"),
    )


def track(request: HttpRequest) -> HttpResponse:
    """Public: the progress of one application, found by its number and the applicant's credit code.
    Shows the state, the dates and the statutory limit — nothing else."""
    number, uscc = request.GET.get("number", ""), request.GET.get("uscc", "")
    app = selectors.track(number, uscc) if number else None
    return render(
        request,
        "licensing/public/track.html",
        {
            "number": number,
            "uscc": uscc,
            "app": app,
            "asked": bool(number),
            "missing": _labels(app.missing) if app and app.state == ApplicationState.INCOMPLETE else [],
        },
    )
