"""Where to add stations, solved exactly with HiGHS (highspy): maximal covering and p-median.

Both take travel times between demand points and sites (minutes; inf = unreachable) and build the
model as sparse arrays handed to HiGHS in one call (no per-variable Python API calls).

Maximal covering (MCLP, Church & ReVelle 1974), existing stations fixed:
    max Σ w_i y_i   s.t.  y_i ≤ Σ_{j ∈ N_i} x_j,  Σ x_j = p,  x binary,  0 ≤ y ≤ 1
where N_i are the candidates within the threshold of i; demand already covered by an existing
station is counted once and left out of the model; demand rows with the same N_i are merged (their
weights added) — the optimum is unchanged and the model shrinks.

p-median (Hakimi 1964 / ReVelle & Swain 1970), existing stations fixed:
    min Σ w_i d_ij z_ij   s.t.  Σ_j z_ij = 1,  z_ij ≤ x_j (candidates),  Σ x_j = p
A demand point is only given the candidates nearer than its nearest existing station (any farther
one is never chosen for it), plus that existing station as a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from scipy.sparse import csc_matrix, eye, hstack, vstack

from .choices import SitingMethod


class SitingError(ValueError):
    def __init__(self, message: str, *, field: str = "p", code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass
class Solution:
    chosen: list[int]  # indices of the chosen candidates
    objective: float  # MCLP: population covered (incl. existing); p-median: weighted minutes
    covered_by_existing: float = 0.0
    status: str = "optimal"


def _solve(
    cost: np.ndarray,
    a: csc_matrix,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    integer: np.ndarray,
    *,
    abs_gap: float = 0.0,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Solve to proven optimality. `abs_gap` < 1 is still exact when every objective value is an
    integer (no better integer value fits in the gap); `start` is a feasible solution to begin with."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", abs_gap)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_ = int(a.shape[1])
    lp.num_row_ = int(a.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lo, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_hi, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lo, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_hi, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer
    ]
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SitingError(_("求解器未找到最优解:%(s)s") % {"s": h.modelStatusToString(status)}, code="solver")
    return np.asarray(h.getSolution().col_value)


def _check_p(p: int, n_candidates: int) -> None:
    if p < 1:
        raise SitingError(_("新增站点数至少为 1"), code="min_value")
    if p > n_candidates:
        raise SitingError(
            _("新增站点数 %(p)d 大于候选站点数 %(n)d") % {"p": p, "n": n_candidates}, code="too_many"
        )


def mclp(
    times: np.ndarray, weights: np.ndarray, threshold: float, p: int, existing_times: np.ndarray | None = None
) -> Solution:
    """times: (demand, candidates) minutes; existing_times: (demand, existing) or None."""
    times = np.asarray(times, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n_dem, n_cand = times.shape
    _check_p(p, n_cand)
    covered_existing = np.zeros(n_dem, dtype=bool)
    if existing_times is not None and existing_times.size:
        covered_existing = (np.asarray(existing_times) <= threshold).any(axis=1)
    base = float(weights[covered_existing].sum())
    cover = times <= threshold
    open_rows = ~covered_existing & cover.any(axis=1)
    cover, w = cover[open_rows], weights[open_rows]
    if cover.shape[0] == 0:
        return Solution(chosen=list(range(p)), objective=base, covered_by_existing=base)
    # Merge demand rows with the same set of covering candidates.
    uniq, inverse = np.unique(cover, axis=0, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=w, minlength=uniq.shape[0])
    r = uniq.shape[0]
    cov = csc_matrix(uniq.astype(np.float64))
    # Columns: x (n_cand) then y (r). Rows: y_i - Σ x_j ≤ 0 (r rows), Σ x = p.
    a_top = hstack([-cov, eye(r, format="csc")], format="csc")
    a_card = csc_matrix(np.concatenate([np.ones(n_cand), np.zeros(r)])[None, :])
    a = vstack([a_top, a_card], format="csc")
    cost = np.concatenate([np.zeros(n_cand), -w])
    row_lo = np.concatenate([np.full(r, -np.inf), [p]])
    row_hi = np.concatenate([np.zeros(r), [p]])
    col_lo = np.zeros(n_cand + r)
    col_hi = np.ones(n_cand + r)
    integer = np.concatenate([np.ones(n_cand, dtype=bool), np.zeros(r, dtype=bool)])
    # A greedy cover as the starting incumbent; integral weights make the objective integral.
    pick = _greedy_cover(uniq, w, p)
    start = np.concatenate(
        [np.isin(np.arange(n_cand), pick).astype(float), uniq[:, pick].any(axis=1).astype(float)]
    )
    integral = bool(np.all(w == np.round(w)))
    x = _solve(
        cost, a, row_lo, row_hi, col_lo, col_hi, integer, abs_gap=0.999 if integral else 0.0, start=start
    )
    chosen = [int(j) for j in np.flatnonzero(x[:n_cand] > 0.5)]
    covered = float(w[(uniq[:, chosen]).any(axis=1)].sum()) if chosen else 0.0
    return Solution(chosen=chosen, objective=base + covered, covered_by_existing=base)


def _greedy_cover(cover: np.ndarray, w: np.ndarray, p: int) -> list[int]:
    """p candidates picked one at a time by the weight they newly cover (vectorised)."""
    cov = cover.astype(np.float64)
    left = w.astype(np.float64).copy()
    picked: list[int] = []
    for _pick in range(p):
        gain = left @ cov
        if picked:
            gain[picked] = -1.0
        j = int(np.argmax(gain))
        picked.append(j)
        left[cover[:, j]] = 0.0
    return picked


def p_median(
    times: np.ndarray,
    weights: np.ndarray,
    p: int,
    existing_times: np.ndarray | None = None,
    unreachable_minutes: float = 600.0,
) -> Solution:
    """Minimise Σ w_i · (time to the nearest open station); unreachable pairs cost `unreachable_minutes`."""
    times = np.minimum(np.asarray(times, dtype=np.float64), unreachable_minutes)
    weights = np.asarray(weights, dtype=np.float64)
    n_dem, n_cand = times.shape
    _check_p(p, n_cand)
    if existing_times is not None and existing_times.size:
        fallback = np.minimum(np.asarray(existing_times, dtype=np.float64), unreachable_minutes).min(axis=1)
    else:
        fallback = np.full(n_dem, np.inf)
    useful = times < fallback[:, None]
    di, dj = np.nonzero(useful)
    has_fb = np.isfinite(fallback)
    fb_rows = np.flatnonzero(has_fb)
    n_z, n_fb = di.size, fb_rows.size
    # Columns: x (n_cand), z over useful pairs (n_z), fallback z (n_fb).
    n_col = n_cand + n_z + n_fb
    cost = np.concatenate(
        [np.zeros(n_cand), weights[di] * times[di, dj], weights[fb_rows] * fallback[fb_rows]]
    )
    # Assignment rows: Σ z_i· = 1.
    z_cols = n_cand + np.arange(n_z)
    fb_cols = n_cand + n_z + np.arange(n_fb)
    rows = [di, fb_rows]
    cols = [z_cols, fb_cols]
    vals = [np.ones(n_z), np.ones(n_fb)]
    # Linking rows z_ij - x_j ≤ 0, numbered after the n_dem assignment rows.
    link = n_dem + np.arange(n_z)
    rows += [link, link]
    cols += [z_cols, dj]
    vals += [np.ones(n_z), -np.ones(n_z)]
    card = n_dem + n_z
    rows.append(np.full(n_cand, card))
    cols.append(np.arange(n_cand))
    vals.append(np.ones(n_cand))
    a = csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(card + 1, n_col)
    )
    missing = np.setdiff1d(np.arange(n_dem), np.concatenate([di, fb_rows]))
    if missing.size:
        raise SitingError(_("有需求点无法到达任何站点"), field="network", code="unreachable")
    row_lo = np.concatenate([np.ones(n_dem), np.full(n_z, -np.inf), [p]])
    row_hi = np.concatenate([np.ones(n_dem), np.zeros(n_z), [p]])
    integer = np.concatenate([np.ones(n_cand, dtype=bool), np.zeros(n_z + n_fb, dtype=bool)])
    x = _solve(cost, a, row_lo, row_hi, np.zeros(n_col), np.ones(n_col), integer)
    chosen = [int(j) for j in np.flatnonzero(x[:n_cand] > 0.5)]
    best = np.minimum(times[:, chosen].min(axis=1) if chosen else np.inf, fallback)
    return Solution(chosen=chosen, objective=float((weights * best).sum()))


def gains(
    method: str,
    times: np.ndarray,
    weights: np.ndarray,
    p: int,
    *,
    threshold: float = 30,
    existing_times: np.ndarray | None = None,
) -> list[dict]:
    """The optimum for 1..p new stations (each solved exactly) and the gain of each added one."""
    _check_p(p, np.asarray(times).shape[1])
    out = []
    if method == SitingMethod.MCLP:
        prev = mclp(times, weights, threshold, 1, existing_times).covered_by_existing
    else:
        ex = existing_times
        prev = (
            float((weights * np.minimum(ex, 600.0).min(axis=1)).sum()) if ex is not None and ex.size else None
        )
    for k in range(1, p + 1):
        sol = (
            mclp(times, weights, threshold, k, existing_times)
            if method == SitingMethod.MCLP
            else p_median(times, weights, k, existing_times)
        )
        gain = (
            None
            if prev is None
            else (sol.objective - prev if method == SitingMethod.MCLP else prev - sol.objective)
        )
        out.append({"p": k, "objective": sol.objective, "gain": gain, "chosen": sol.chosen})
        prev = sol.objective
    return out
