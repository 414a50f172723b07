"""Read queries of the plans app (scoped, with the joins their pages need)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q

from .choices import TaskState
from .models import Activation, ActivationTask, Drill, Plan


def plans_for(user: Any) -> Any:
    return Plan.objects.visible_to(user).select_related("division", "department", "enterprise")


def plan_detail(user: Any) -> Any:
    return plans_for(user).prefetch_related("tasks__department", "attachments", "revisions__changed_by")


def drills_for(user: Any) -> Any:
    return Drill.objects.visible_to(user).select_related("plan", "exercise")


def activations_for(user: Any) -> Any:
    return (
        Activation.objects.visible_to(user)
        .select_related("plan", "division", "activated_by", "plan__division")
        .annotate(
            n_tasks=Count("tasks", distinct=True),
            n_done=Count("tasks", filter=Q(tasks__state=TaskState.DONE), distinct=True),
        )
        .order_by("-activated_at", "-id")
    )


def board(user: Any) -> Any:
    """Activations with their tasks (and the tasks' departments) in two queries."""
    return activations_for(user).prefetch_related(
        Prefetch("tasks", queryset=ActivationTask.objects.select_related("department", "updated_by"))
    )


def tasks_for(user: Any) -> Any:
    return ActivationTask.objects.visible_to(user).select_related("activation", "department")
