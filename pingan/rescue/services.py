"""What other apps may use of rescue: volunteer teams registered from culture's registry of social
organisations (decision 0013: a volunteer team IS a rescue Team of kind "volunteer", so the dispatch
ranks it by travel time like any other team and its readiness and mobilisations are rescue's own);
drills and trainings as another module records them (emergency plans record drills against a plan)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "capability_choices",
    "exercise_facts",
    "road_reach",
    "save_volunteer_team",
    "visible_exercises",
    "volunteer_team",
    "volunteer_teams",
]


def capability_choices() -> list[tuple[str, str]]:
    """The capabilities a team may have (value, label), for another app's form."""
    from .choices import Capability

    return [(str(v), str(label)) for v, label in Capability.choices]


def save_volunteer_team(
    actor: Any,
    *,
    team_id: int | None,
    code: str,
    name: str,
    division: Any,
    lat: float,
    lon: float,
    headcount: int,
    capabilities: Sequence[str],
    leader: str = "",
    phone: str = "",
    members: Iterable[tuple[str, str, bool]] = (),
) -> int:
    """Create (team_id None) or update the rescue team of a volunteer organisation through the
    directory's own action (permission "rescue.edit_directory"/"rescue.edit_team", audited), and add
    the volunteers not yet on its roster as members (name, phone, certified). Returns the team id.
    Readiness is never changed here: it has its own action."""
    from .actions import do_save
    from .choices import TeamKind
    from .models import Member, Team

    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team is None:  # new, or the linked team was deleted in rescue: a new one
        team = Team(code=code)
    team.kind = TeamKind.VOLUNTEER
    team.name = name
    team.division = division
    team.lat, team.lon = float(lat), float(lon)
    team.headcount = int(headcount)
    team.capabilities = list(capabilities)
    team.leader = leader
    team.phone = phone
    team = do_save(actor, team)
    on_roster = set(team.members.values_list("name", flat=True))
    for member_name, member_phone, certified in members:
        if member_name in on_roster:
            continue
        do_save(
            actor,
            Member(team=team, name=member_name, phone=member_phone, position="志愿者", certified=certified),
        )
        on_roster.add(member_name)
    return int(team.pk)


def volunteer_teams(team_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The linked teams as culture shows them (one query): code, name, readiness, capabilities."""
    from .models import Team

    return {
        team.pk: {
            "id": team.pk,
            "code": team.code,
            "name": team.name,
            "kind": team.kind,
            "status": team.status,
            "status_display": str(team.get_status_display()),
            "colour": team.status_colour,
            "capabilities": list(team.capabilities or []),
            "headcount": team.headcount,
        }
        for team in Team.objects.filter(pk__in=list(team_ids))
    }


def volunteer_team(team_id: int | None) -> dict[str, Any] | None:
    if team_id is None:
        return None
    return volunteer_teams([team_id]).get(team_id)


def visible_exercises(user: Any) -> Any:
    from .models import Exercise

    return Exercise.objects.visible_to(user)


def exercise_facts(user: Any, pk: int) -> dict[str, Any] | None:
    """A drill or training as another module records it (emergency plans record drills against a plan);
    None when it does not exist or `user` may not see it."""
    from .choices import ExerciseKind
    from .models import Exercise

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


# Road reach for the command centre's urban–rural balance, per active network and set of points: a page
# asks again every few seconds, and the answer only changes when a team moves or the network does.
_REACH_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def road_reach(points: Sequence[tuple[float, float]], *, limit_min: float) -> dict[str, Any] | None:
    """Travel times by road for places given as (lat, lon), on the active network (the dispatch's and
    the siting engine's):

    - `team_minutes[i]`: from the nearest available team to point i (inf: out of reach or off the
      network);
    - `cover[i]`: the indices of the points a new station at point i reaches within `limit_min`.

    None when there is no active road network; the caller then says it uses its own estimate."""
    import numpy as np

    from pingan.core.actions import ActionError

    from . import engine

    try:
        row, graph = engine.active_network()
    except ActionError:
        return None
    _teams, sources, source_snap = engine.station_nodes(graph)
    key = (row.pk, tuple(points), float(limit_min), tuple(sources.tolist()))
    if key in _REACH_CACHE:
        return _REACH_CACHE[key]
    limit_s = float(limit_min) * 60
    nodes, snap = graph.snap([p[0] for p in points], [p[1] for p in points], max_m=engine.MAX_SNAP_METRES)
    on = nodes >= 0
    safe = np.maximum(nodes, 0)
    access = np.asarray(engine.access_seconds(np.where(on, snap, 0.0)), dtype=float)
    if len(sources):
        dist, _src = graph.nearest_source_times(sources, limit_s=limit_s)
        team_s = np.where(on, dist[safe] + access, np.inf)
    else:
        team_s = np.full(len(points), np.inf)
    cover: dict[int, list[int]] = {}
    for i in range(len(points)):
        if not on[i]:
            cover[i] = []
            continue
        dist, _src = graph.nearest_source_times(np.array([nodes[i]]), limit_s=limit_s)
        reach = np.where(on, dist[safe] + access + access[i], np.inf)
        cover[i] = [int(j) for j in np.flatnonzero(reach <= limit_s)]
    answer = {"team_minutes": (team_s / 60).tolist(), "cover": cover, "network": row.name}
    if len(_REACH_CACHE) > 32:
        _REACH_CACHE.clear()
    _REACH_CACHE[key] = answer
    return answer
