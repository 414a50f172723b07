"""The public pages: report a hazard (anonymous allowed), track it by its code, answer after closure.

Nothing here shows who reported a case or any internal note: the pages render only what
selectors.public_* returns, and photos only as their metadata-free public copies.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.core.actions import ActionError

from . import actions, rules, selectors
from .choices import FeedbackAnswer, Source, State
from .forms import FeedbackForm, PublicReportForm
from .models import HazardCase, Photo, Subscription
from .photos import content_type_of

PUBLIC_RATE = 20  # reports and feedback per address per hour [U]


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _throttled(request: HttpRequest, bucket: str) -> bool:
    key = f"hazards-public:{bucket}:{_client_ip(request)}"
    count = cache.get_or_set(key, 0, 3600)
    if count >= PUBLIC_RATE:
        return True
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
    return False


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    import uuid

    form = PublicReportForm(
        request.POST or None, request.FILES or None, initial={"client_token": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        if _throttled(request, "report"):
            form.add_error(None, _("提交过于频繁,请稍后再试"))
        else:
            d = form.cleaned_data
            try:
                case, _created = actions.do_submit(
                    request.user,
                    source=Source.PUBLIC,
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    lat=d["lat"],
                    lon=d["lon"],
                    address=d["address"],
                    division=d.get("division"),
                    reporter_name=d["reporter_name"],
                    reporter_phone=d["reporter_phone"],
                    client_token=d["client_token"],
                    photos=d["photos"],
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                request.session[f"hazard-new-{case.tracking_code}"] = True
                return redirect(reverse("hazards-public:track", args=[case.tracking_code]) + "?new=1")
    return render(request, "hazards/public/report.html", {"form": form, "pick_layers": []})


def track_form(request: HttpRequest) -> HttpResponse:
    code = rules.normalise_tracking_code(request.GET.get("code", ""))
    if code:
        return redirect("hazards-public:track", code=code)
    return render(request, "hazards/public/track_form.html", {})


def _case_by_code(code: str) -> HazardCase:
    code = rules.normalise_tracking_code(code)
    case = (
        HazardCase.objects.select_related("category", "division", "lead_department")
        .filter(tracking_code=code)
        .first()
    )
    if case is None:
        raise Http404("not found")
    return case


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_by_code(code)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        if _throttled(request, "feedback"):
            form.add_error(None, _("提交过于频繁,请稍后再试"))
        elif form.is_valid():
            try:
                actions.do_feedback(
                    request.user, case, answer=form.cleaned_data["answer"], note=form.cleaned_data["note"]
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect(reverse("hazards-public:track", args=[case.tracking_code]) + "?thanks=1")
    survivor = case.merged_into if case.state == State.MERGED else None
    context = {
        "case": case,
        "code": case.tracking_code,
        "note": selectors.public_status_note(case),
        "description": selectors.mask_phones(case.description),
        "comments": selectors.public_comments(case),
        "photos": selectors.public_photos(case),
        "steps": selectors.public_timeline(case),
        "form": form,
        "new": request.GET.get("new") == "1",
        "thanks": request.GET.get("thanks") == "1",
        "survivor": survivor,
        "can_feedback": selectors.awaits_feedback(case),
        "feedback": selectors.public_feedback(case),
        "answers": FeedbackAnswer,
        "State": State,
    }
    return render(request, "hazards/public/track.html", context)


def _serve_public_copy(photo: Photo) -> FileResponse:
    resp = FileResponse(photo.public_copy.open("rb"), content_type=content_type_of(photo.format))
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def track_photo(request: HttpRequest, code: str, photo_id: uuid.UUID) -> FileResponse:
    """A photo of the tracked case by its public_id; acceptance evidence is not the public's."""
    case = _case_by_code(code)
    photo = Photo.objects.filter(case=case, public_id=photo_id, kind__in=rules.PUBLIC_PHOTO_KINDS).first()
    if photo is None:
        raise Http404("not found")
    return _serve_public_copy(photo)


def public_photo(request: HttpRequest, photo_id: uuid.UUID) -> FileResponse:
    """The public copy of a photo of a publicly listed case (what Open311's media_url points to)."""
    photo = (
        Photo.objects.select_related("case")
        .filter(public_id=photo_id, kind__in=rules.PUBLIC_PHOTO_KINDS)
        .first()
    )
    if photo is None or not photo.case.is_publicly_listed:
        raise Http404("not found")
    return _serve_public_copy(photo)


def mine(request: HttpRequest) -> HttpResponse:
    """My reports (我的上报): the cases a signed-in person reported or follows, with their state, each
    linking to its public tracking page (two queries whatever the number)."""
    if not request.user.is_authenticated:
        return redirect(reverse("login") + "?next=" + request.path)
    followed = Subscription.objects.filter(user=request.user).values("case_id")
    cases = list(
        HazardCase.objects.filter(Q(reporter=request.user.pk) | Q(pk__in=followed))
        .select_related("category")
        .order_by("-created_at", "-id")[:200]
    )
    return render(request, "hazards/public/mine.html", {"cases": cases, "State": State})
