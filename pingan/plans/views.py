"""Console pages of emergency plans: the register, a plan, writing and revising it, matching plans to an
incident or a warning, activation and the live task board."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core import deadlines
from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.params import choice_param, id_param
from pingan.core.permissions import allowed_names, console_view, may
from pingan.emergency.services import SUBTYPE_CHOICES

from . import actions, forms, selectors
from .choices import ActivationState, Level, OwnerLevel, PlanKind, PlanState, TaskState
from .models import Activation, ActivationTask, Plan

PLAN_ACTIONS = [
    "plans.edit",
    "plans.publish",
    "plans.retire",
    "plans.evaluate",
    "plans.attach",
    "plans.record_drill",
    "plans.record_filing",
    "plans.activate",
]


def _flash(request: HttpRequest, err: ActionError) -> None:
    messages.error(request, str(err.message))


@console_view("plans.view_list")
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.plans_for(request.user)
    kind = choice_param(request.GET, "kind", PlanKind.values)
    state = choice_param(request.GET, "state", PlanState.values)
    owner = choice_param(request.GET, "owner_level", OwnerLevel.values)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if owner:
        qs = qs.filter(owner_level=owner)
    page = Paginator(qs, 50).get_page(id_param(request.GET, "page") or 1)
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": page,
            "plans": page.object_list,
            "filters": {"kind": kind or "", "state": state or "", "owner_level": owner or ""},
            "PlanKind": PlanKind,
            "PlanState": PlanState,
            "OwnerLevel": OwnerLevel,
            "Level": Level,
            "may_create": may(request.user, "plans.create"),
            "activations": list(
                selectors.activations_for(request.user).filter(state=ActivationState.ACTIVE)[:20]
            )
            if may(request.user, "plans.view_board")
            else [],
        },
    )


@console_view("plans.view")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(selectors.plan_detail(request.user), request.user, pk=pk)
    tasks = list(plan.tasks.all())
    levels = sorted({t.level for t in tasks}, reverse=True)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks_by_level": [(lv, Level(lv).label, [t for t in tasks if t.level == lv]) for lv in levels],
            "revisions": list(plan.revisions.all()),
            "attachments": list(plan.attachments.all()),
            "drills": list(selectors.drills_for(request.user).filter(plan=plan)[:50]),
            "deadlines": list(deadlines.for_object(plan).order_by("-due_at")[:20]),
            "activations": list(selectors.activations_for(request.user).filter(plan=plan)[:20]),
            "allowed": allowed_names(request.user, PLAN_ACTIONS, plan),
            "publish_form": forms.PublishForm(),
            "retire_form": forms.RetireForm(),
            "filing_form": forms.FilingForm(),
            "evaluate_form": forms.EvaluateForm(),
            "attach_form": forms.AttachmentForm(),
            "drill_form": forms.DrillForm(),
            "PlanState": PlanState,
            "ActivationState": ActivationState,
            "Level": Level,
            "now": timezone.now(),
            "event_labels": [dict(SUBTYPE_CHOICES).get(t, t) for t in plan.event_types],
        },
    )


def _task_rows(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for f in formset.forms:
        d = getattr(f, "cleaned_data", None) or {}
        if d.get("text"):
            rows.append(d)
    return rows


def _initial_tasks(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "level": t.level,
            "department": t.department_id,
            "organisation": t.organisation,
            "role": t.role,
            "text": t.text,
            "due_minutes": t.due_minutes,
        }
        for t in plan.tasks.all()
    ]


@console_view("plans.create")
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    plan = None
    if pk is not None:
        plan = get_visible_or_404(selectors.plans_for(user), user, pk=pk)
        if not may(user, "plans.edit", plan):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
    initial = None
    if plan is not None:
        initial = {
            "title": plan.title,
            "kind": plan.kind,
            "owner_level": plan.owner_level,
            "division": plan.division_id,
            "department": plan.department_id,
            "enterprise": plan.enterprise_id,
            "event_types": plan.event_types,
            "levels": plan.levels,
            "summary": plan.summary,
        }
    elif getattr(user, "enterprise_id", None):
        initial = {"enterprise": user.enterprise_id, "division": user.enterprise.division_id}
    data = request.POST if request.method == "POST" else None
    form = forms.PlanForm(data, user=user, initial=initial)
    formset = forms.TaskFormSet(
        data,
        prefix="tasks",
        form_kwargs={"user": user},
        initial=_initial_tasks(plan) if plan is not None and data is None else None,
    )
    revision = forms.RevisionForm(data) if plan is not None else None
    if (
        data is not None
        and form.is_valid()
        and formset.is_valid()
        and (revision is None or revision.is_valid())
    ):
        try:
            if plan is None:
                plan = actions.do_create_plan(user, dict(form.cleaned_data), _task_rows(formset))
                messages.success(request, _("预案已保存为草稿"))
            else:
                assert revision is not None
                plan = actions.do_edit_plan(
                    user,
                    plan,
                    dict(form.cleaned_data),
                    _task_rows(formset),
                    revision.cleaned_data["revision_summary"],
                )
                messages.success(request, _("预案已修订为第 %(v)s 版") % {"v": plan.version})
            return redirect("plans:detail", pk=plan.pk)
        except ActionError as err:
            form.add_error(err.field if err.field in form.fields else None, str(err.message))
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "formset": formset, "revision": revision, "plan": plan},
    )


def _plan_post(request: HttpRequest, pk: int) -> Plan:
    return get_visible_or_404(Plan.objects.all(), request.user, pk=pk)


def _plan_action(request: HttpRequest, pk: int, form_class: Any, do: Any, done: str) -> HttpResponse:
    plan = _plan_post(request, pk)
    form = form_class(request.POST, request.FILES or None)
    if not form.is_valid():
        for errs in form.errors.values():
            messages.error(request, " ".join(errs))
        return redirect("plans:detail", pk=pk)
    try:
        do(plan, form.cleaned_data)
        messages.success(request, done)
    except ActionError as err:
        _flash(request, err)
    return redirect("plans:detail", pk=pk)


@require_POST
@console_view("plans.view")
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        forms.PublishForm,
        lambda p, d: actions.do_publish(request.user, p, d["published_on"]),
        _("预案已公布"),
    )


@require_POST
@console_view("plans.view")
def plan_retire(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        forms.RetireForm,
        lambda p, d: actions.do_retire(request.user, p, d["reason"]),
        _("预案已废止"),
    )


@require_POST
@console_view("plans.view")
def plan_filing(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        forms.FilingForm,
        lambda p, d: actions.do_record_filing(request.user, p, d["filed_on"], d["filed_with"]),
        _("备案已登记"),
    )


@require_POST
@console_view("plans.view")
def plan_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        forms.EvaluateForm,
        lambda p, d: actions.do_evaluate(request.user, p, d["evaluated_on"], d["conclusion"]),
        _("评估已登记"),
    )


@require_POST
@console_view("plans.view")
def plan_attach(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        forms.AttachmentForm,
        lambda p, d: actions.do_attach(request.user, p, d["file"]),
        _("附件已上传"),
    )


@console_view("plans.record_drill")
def plan_drill(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a drill of the plan; with ?exercise= it is the rescue module's record of that drill."""
    plan = _plan_post(request, pk)
    exercise_id = id_param(request.GET, "exercise") or id_param(request.POST, "exercise")
    facts = None
    if exercise_id is not None:
        from pingan.rescue.services import exercise_facts

        facts = exercise_facts(request.user, exercise_id)
        if facts is None:
            raise Http404("exercise")
    if request.method != "POST":
        initial = {}
        if facts:
            initial = {
                "held_on": facts["date"],
                "participants": facts["participants"],
                "notes": facts["evaluation"],
            }
        return render(
            request,
            "plans/drill_form.html",
            {"plan": plan, "form": forms.DrillForm(initial=initial), "exercise": facts},
        )
    form = forms.DrillForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_drill(request.user, plan, form.cleaned_data, exercise_id)
            messages.success(request, _("演练已登记"))
            return redirect("plans:detail", pk=pk)
        except ActionError as err:
            form.add_error(err.field if err.field in form.fields else None, str(err.message))
    return render(request, "plans/drill_form.html", {"plan": plan, "form": form, "exercise": facts})


@console_view("plans.view_list")
def exercise_drill(request: HttpRequest) -> HttpResponse:
    """From the rescue module's drill page: choose the plan this drill exercised."""
    from pingan.rescue.services import exercise_facts

    exercise_id = id_param(request.GET, "exercise")
    facts = exercise_facts(request.user, exercise_id) if exercise_id else None
    if facts is None:
        raise Http404("exercise")
    plans = [
        p
        for p in selectors.plans_for(request.user).filter(state=PlanState.EFFECTIVE)[:200]
        if may(request.user, "plans.record_drill", p)
    ]
    return render(request, "plans/exercise_drill.html", {"exercise": facts, "plans": plans})


def _event(request: HttpRequest) -> dict[str, Any]:
    return actions.event_of(
        request.user,
        incident_id=id_param(request.GET, "incident") or id_param(request.POST, "incident"),
        warning_id=id_param(request.GET, "warning") or id_param(request.POST, "warning"),
    )


@console_view("plans.view_matches")
def match(request: HttpRequest) -> HttpResponse:
    try:
        event = _event(request)
    except ActionError as err:
        return render(request, "plans/match.html", {"error": err.message}, status=400)
    plans = actions.matching_plans(request.user, event)
    active = {
        a.plan_id: a
        for a in selectors.activations_for(request.user).filter(
            state=ActivationState.ACTIVE,
            **({"incident": event["incident"]} if event["incident"] else {"warning": event["warning"]}),
        )
    }
    rows = [
        {
            "plan": p,
            "active": active.get(p.pk),
            "may_activate": event["open"] and p.pk not in active and may(request.user, "plans.activate", p),
        }
        for p in plans
    ]
    default_level = event["level"] or "4"
    event["level_label"] = Level(event["level"]).label if event["level"] else ""
    return render(
        request,
        "plans/match.html",
        {
            "event": event,
            "rows": rows,
            "form": forms.ActivateForm(initial={"level": default_level}),
            "default_level": default_level,
            "Level": Level,
        },
    )


@require_POST
@console_view("plans.activate")
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_post(request, pk)
    event = _event(request)
    form = forms.ActivateForm(request.POST)
    which = f"incident={event['incident'].pk}" if event["incident"] else f"warning={event['warning'].pk}"
    back = redirect(f"{reverse('plans:match')}?{which}")
    if not form.is_valid():
        messages.error(request, _("请选择响应级别"))
        return back
    try:
        activation = actions.do_activate(
            request.user, plan, event, form.cleaned_data["level"], form.cleaned_data["note"]
        )
    except ActionError as err:
        _flash(request, err)
        return back
    messages.success(request, _("预案已启动,任务已派发"))
    return redirect("plans:board", pk=activation.pk)


def _board_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    activation = get_visible_or_404(selectors.board(request.user), request.user, pk=pk)
    tasks = list(activation.tasks.all())
    for t in tasks:
        t.may_update = (
            t.state in (TaskState.PENDING, TaskState.IN_PROGRESS)
            and activation.state == ActivationState.ACTIVE
            and may(request.user, "plans.update_task", t)
        )
    done = sum(1 for t in tasks if t.state == TaskState.DONE)
    return {
        "activation": activation,
        "tasks": tasks,
        "done": done,
        "total": len(tasks),
        "may_stand_down": activation.state == ActivationState.ACTIVE
        and may(request.user, "plans.stand_down", activation),
        "may_review": activation.state == ActivationState.STOOD_DOWN
        and may(request.user, "plans.review", activation),
        "stand_down_form": forms.StandDownForm(),
        "review_form": forms.ReviewForm(initial={"lessons": activation.lessons}),
        "ActivationState": ActivationState,
        "TaskState": TaskState,
        "Level": Level,
    }


@console_view("plans.view_board")
def board(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "plans/board.html", _board_context(request, pk))


@console_view("plans.view_board")
def board_rows(request: HttpRequest, pk: int) -> HttpResponse:
    """The task table alone, for htmx to refresh every few seconds."""
    return render(request, "plans/_board_rows.html", _board_context(request, pk))


@require_POST
@console_view("plans.update_task")
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(ActivationTask.objects.select_related("activation"), request.user, pk=pk)
    form = forms.TaskUpdateForm(request.POST)
    if form.is_valid():
        try:
            actions.do_update_task(
                request.user, task, form.cleaned_data["state"], form.cleaned_data["feedback"]
            )
            messages.success(request, _("任务已更新"))
        except ActionError as err:
            _flash(request, err)
    else:
        messages.error(request, _("任务状态无效"))
    return redirect("plans:board", pk=task.activation_id)


@require_POST
@console_view("plans.stand_down")
def stand_down(request: HttpRequest, pk: int) -> HttpResponse:
    activation = get_visible_or_404(Activation.objects.select_related("plan__division"), request.user, pk=pk)
    form = forms.StandDownForm(request.POST)
    if form.is_valid():
        try:
            actions.do_stand_down(request.user, activation, form.cleaned_data["note"])
            messages.success(request, _("响应已终止,未完成的任务已关闭"))
        except ActionError as err:
            _flash(request, err)
    else:
        messages.error(request, _("请填写终止说明"))
    return redirect("plans:board", pk=pk)


@require_POST
@console_view("plans.review")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    activation = get_visible_or_404(Activation.objects.select_related("plan__division"), request.user, pk=pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.do_review(request.user, activation, form.cleaned_data["lessons"])
            messages.success(request, _("复盘总结已保存"))
        except ActionError as err:
            _flash(request, err)
    else:
        messages.error(request, _("请填写经验教训"))
    return redirect("plans:board", pk=pk)


@console_view("plans.view_board")
def activation_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request.GET, "state", ActivationState.values)
    qs = selectors.activations_for(request.user)
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(id_param(request.GET, "page") or 1)
    return render(
        request,
        "plans/activation_list.html",
        {
            "page": page,
            "activations": page.object_list,
            "state": state or "",
            "ActivationState": ActivationState,
        },
    )


@console_view("plans.view")
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment, to those who can see its plan (files are not served from a public address)."""
    from django.http import FileResponse

    from .models import PlanAttachment

    plan_ids = selectors.plans_for(request.user).values("pk")
    att = PlanAttachment.objects.filter(pk=pk, plan__in=plan_ids).first()
    if att is None:
        raise Http404("attachment")
    try:
        handle = att.file.open("rb")
    except OSError as exc:
        raise Http404("attachment") from exc
    return FileResponse(handle, as_attachment=True, filename=att.name)
