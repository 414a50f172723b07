"""What other apps may call in the rescue module (the only module of this app they import).

visible_exercises(user) -> QuerySet of drills and trainings `user` may see
exercise_facts(user, pk) -> dict | None: one drill's date, title, kind and participants
"""

from __future__ import annotations

from typing import Any

from .choices import ExerciseKind
from .models import Exercise


def visible_exercises(user: Any) -> Any:
    return Exercise.objects.visible_to(user)


def exercise_facts(user: Any, pk: int) -> dict[str, Any] | None:
    """A drill or training as another module records it (emergency plans record drills against a plan);
    None when it does not exist or `user` may not see it."""
    ex = Exercise.objects.visible_to(user).filter(pk=pk).select_related("division").first()
    if ex is None:
        return None
    return {
        "id": ex.pk,
        "title": ex.title,
        "date": ex.date,
        "is_drill": ex.kind == ExerciseKind.DRILL,
        "participants": ex.participants,
        "division": ex.division.name,
        "evaluation": ex.evaluation,
    }


__all__ = ["exercise_facts", "visible_exercises"]
