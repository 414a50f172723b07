"""The public side of safety education: knowledge, courses on a phone, quizzes, certificates and their
verification. Reading is open to everyone; learning (progress kept) needs an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError
from pingan.core.permissions import may

from . import actions, rules
from .certificates import FontMissing, render_pdf
from .choices import ContentKind, SiteState
from .models import Article, Certificate, Course, DemoSite, Enrolment


def _learner(request: HttpRequest) -> HttpResponse | None:
    if not may(request.user, "culture.learn"):
        return redirect_to_login(request.get_full_path())
    return None


def home(request: HttpRequest) -> HttpResponse:
    articles = list(Article.objects.visible_to(request.user)[:40])
    by_kind = [(label, [a for a in articles if a.kind == kind]) for kind, label in ContentKind.choices]
    courses = list(Course.objects.visible_to(request.user).filter(published=True))
    mine: dict[int, Enrolment] = {}
    if request.user.is_authenticated:
        mine = {e.course_id: e for e in Enrolment.objects.visible_to(request.user)}
    for c in courses:
        c.mine = mine.get(c.pk)
    # Approved demonstration sites: where to go and see safety done well, and what each teaches.
    sites = list(
        DemoSite.objects.filter(state=SiteState.APPROVED)
        .select_related("division")
        .order_by("division__code", "name")
    )
    layers = [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
            "labels": True,
        },
        {"url": reverse("culture-public:sites"), "name": _("安全示范点"), "kind": "points", "fit": True},
    ]
    return render(
        request,
        "culture/public/home.html",
        {"by_kind": by_kind, "courses": courses, "sites": sites, "site_layers": layers},
    )


def article(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
    return render(request, "culture/public/article.html", {"a": a, "ContentKind": ContentKind})


def _course(request: HttpRequest, pk: int) -> Course:
    return get_object_or_404(Course.objects.visible_to(request.user).filter(published=True), pk=pk)


def course(request: HttpRequest, pk: int) -> HttpResponse:
    c = _course(request, pk)
    lessons = list(c.lessons.all())
    enrolment = None
    if request.user.is_authenticated:
        enrolment = (
            Enrolment.objects.visible_to(request.user).filter(course=c).select_related("certificate").first()
        )
    done = set(enrolment.lessons_done) if enrolment else set()
    for lesson in lessons:
        lesson.done = lesson.pk in done
    cert = getattr(enrolment, "certificate", None) if enrolment else None
    return render(
        request,
        "culture/public/course.html",
        {
            "c": c,
            "lessons": lessons,
            "enrolment": enrolment,
            "all_done": bool(lessons) and all(lesson.done for lesson in lessons),
            "done_count": len(done & {lesson.pk for lesson in lessons}),
            "cert": cert,
        },
    )


def lesson(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    stop = _learner(request)
    if stop:
        return stop
    c = _course(request, pk)
    lessons = list(c.lessons.all())
    current = next((x for x in lessons if x.pk == lesson_pk), None)
    if current is None:
        raise Http404
    if request.method == "POST":
        actions.do_complete_lesson(request.user, c, current.pk)
        later = [
            x for x in lessons if x.order > current.order or (x.order == current.order and x.pk > current.pk)
        ]
        if later:
            return redirect("culture-public:lesson", pk=c.pk, lesson_pk=later[0].pk)
        return redirect("culture-public:course", pk=c.pk)
    index = lessons.index(current) + 1
    return render(
        request,
        "culture/public/lesson.html",
        {"c": c, "lesson": current, "index": index, "total": len(lessons)},
    )


def quiz(request: HttpRequest, pk: int) -> HttpResponse:
    stop = _learner(request)
    if stop:
        return stop
    c = _course(request, pk)
    questions = list(c.questions.all())
    if request.method == "POST":
        answers: dict[int, int] = {}
        for q in questions:
            value = request.POST.get(f"q{q.pk}")
            if value is not None and value.isdigit():
                answers[q.pk] = int(value)
        try:
            enrolment, percent, ok = actions.do_submit_quiz(request.user, c, answers)
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("culture-public:course", pk=c.pk)
        for q in questions:
            q.given = answers.get(q.pk)
        return render(
            request,
            "culture/public/result.html",
            {
                "c": c,
                "percent": percent,
                "ok": ok,
                "questions": questions,
                "cert": getattr(enrolment, "certificate", None),
            },
        )
    return render(request, "culture/public/quiz.html", {"c": c, "questions": questions})


def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The holder downloads their certificate (others check the code on the verification page)."""
    stop = _learner(request)
    if stop:
        return stop
    cert = get_object_or_404(Certificate.objects.select_related("enrolment"), code=code)
    if cert.enrolment.user_id != request.user.pk:
        raise Http404
    url = request.build_absolute_uri(reverse("culture-public:verify")) + f"?code={cert.code}"
    try:
        body = render_pdf(cert, url)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.code}.pdf"'
    return response


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks a certificate by its code: valid (holder, course, hours, date) or not found."""
    typed = request.GET.get("code", "")
    code = rules.normalise_code(typed)
    cert = Certificate.objects.filter(code=code).first() if code else None
    return render(request, "culture/public/verify.html", {"typed": typed, "cert": cert, "asked": bool(typed)})


@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    stop = _learner(request)
    if stop:
        return stop
    c = _course(request, pk)
    actions.enrol(request.user, c)
    first = c.lessons.first()
    if first is None:
        return redirect("culture-public:course", pk=c.pk)
    return redirect("culture-public:lesson", pk=c.pk, lesson_pk=first.pk)
