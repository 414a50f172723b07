"""The road graph: compact arrays, the largest strongly connected part, snapping, travel times.

Everything here is numpy/scipy (compiled shortest paths from scipy.sparse.csgraph, snapping with a
cKDTree); no ORM. A network is

    node_lon, node_lat   float64[n]
    edge_u, edge_v       int32[m]    directed edges (a two-way road is two edges)
    edge_seconds         float32[m]  travel time
    edge_class           int8[m]     index into `classes` (road class names)

saved as one .npz file. Travel times are in seconds inside, minutes at the edges of the API.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6371008.8
# Scipy's csgraph drops explicit zeros as non-edges; a zero-length segment gets this floor.
MIN_EDGE_SECONDS = 0.01


class NetworkError(ValueError):
    """A network that cannot be built or a point that cannot be placed on it."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def haversine_m(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


@dataclass
class Graph:
    node_lon: np.ndarray
    node_lat: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_seconds: np.ndarray
    edge_class: np.ndarray
    classes: list[str]
    dropped_nodes: int = 0
    _csr: csr_matrix | None = field(default=None, repr=False)
    _csr_t: csr_matrix | None = field(default=None, repr=False)
    _tree: cKDTree | None = field(default=None, repr=False)
    _lat0: float = 0.0

    @property
    def n(self) -> int:
        return int(self.node_lon.shape[0])

    @property
    def m(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def csr(self) -> csr_matrix:
        """Forward graph (u → v), duplicates reduced to their minimum."""
        if self._csr is None:
            self._csr = _csr(self.edge_u, self.edge_v, self.edge_seconds, self.n)
        return self._csr

    @property
    def csr_reverse(self) -> csr_matrix:
        """Reverse graph: a search from an incident on it gives the time from every node *to* it."""
        if self._csr_t is None:
            self._csr_t = _csr(self.edge_v, self.edge_u, self.edge_seconds, self.n)
        return self._csr_t

    def bbox(self) -> list[float]:
        return [
            float(self.node_lon.min()),
            float(self.node_lat.min()),
            float(self.node_lon.max()),
            float(self.node_lat.max()),
        ]

    # --- snapping -----------------------------------------------------------------------------
    def _xy(self, lon, lat) -> np.ndarray:
        # Equirectangular metres around the network's mean latitude: exact enough for nearest
        # neighbours within a city (the error is well under 1 % over 200 km).
        k = np.cos(np.radians(self._lat0))
        return np.column_stack(
            [
                np.radians(np.asarray(lon, dtype=np.float64)) * EARTH_RADIUS_M * k,
                np.radians(np.asarray(lat, dtype=np.float64)) * EARTH_RADIUS_M,
            ]
        )

    @property
    def tree(self) -> cKDTree:
        if self._tree is None:
            self._lat0 = float(self.node_lat.mean()) if self.n else 0.0
            self._tree = cKDTree(self._xy(self.node_lon, self.node_lat))
        return self._tree

    def snap(self, lat, lon, *, max_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and its distance in metres (inf beyond `max_m`)."""
        tree = self.tree
        dist, idx = tree.query(
            self._xy(np.atleast_1d(lon), np.atleast_1d(lat)),
            distance_upper_bound=np.inf if max_m is None else max_m,
        )
        idx = np.where(np.isfinite(dist), idx, -1).astype(np.int64)
        return idx, dist

    def snap_one(self, lat: float, lon: float, *, max_m: float, field: str = "location") -> tuple[int, float]:
        idx, dist = self.snap([lat], [lon], max_m=max_m)
        if idx[0] < 0:
            raise NetworkError(
                f"point ({lat:.5f}, {lon:.5f}) is more than {max_m:.0f} m from the road network",
                code="outside_network",
                field=field,
            )
        return int(idx[0]), float(dist[0])

    # --- travel times ---------------------------------------------------------------------------
    def times_to(self, node: int, *, limit_s: float = np.inf) -> np.ndarray:
        """Seconds from every node to `node` (one-to-many on the reverse graph), inf beyond limit."""
        return dijkstra(self.csr_reverse, directed=True, indices=node, limit=limit_s)

    def times_from(self, nodes, *, limit_s: float = np.inf) -> np.ndarray:
        """Seconds from each of `nodes` to every node: shape (len(nodes), n)."""
        return dijkstra(self.csr, directed=True, indices=np.asarray(nodes, dtype=np.int64), limit=limit_s)

    def nearest_source_times(self, sources, *, limit_s: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Multi-source: seconds from the nearest of `sources` to every node, and which source."""
        sources = np.unique(np.asarray(sources, dtype=np.int64))
        if sources.size == 0:
            return np.full(self.n, np.inf), np.full(self.n, -9999, dtype=np.int64)
        dist, _pred, src = dijkstra(
            self.csr, directed=True, indices=sources, limit=limit_s, min_only=True, return_predecessors=True
        )
        return dist, src

    def k_nearest(
        self, source_nodes, target_nodes, k: int, *, limit_s: float = np.inf
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each target, the k sources (indices into `source_nodes`) that reach it first.

        k = 1 is one multi-source run; k > 1 is k passes over the graph (see nearest_labels).
        Returns (index[t, k], seconds[t, k]); a missing neighbour has index -1 and time inf.
        """
        source_nodes = np.asarray(source_nodes, dtype=np.int64)
        target_nodes = np.asarray(target_nodes, dtype=np.int64)
        k_eff = min(k, source_nodes.size)
        t_count = target_nodes.size
        if k_eff == 0:
            return np.full((t_count, k), -1, dtype=np.int64), np.full((t_count, k), np.inf)
        if k_eff == 1:
            # The nearest source of every node in one multi-source run.
            uniq, first = np.unique(source_nodes, return_index=True)
            dist, src = self.nearest_source_times(uniq, limit_s=limit_s)
            d = dist[target_nodes]
            node_of = src[target_nodes]
            pos = np.clip(np.searchsorted(uniq, node_of), 0, uniq.size - 1)
            idx = np.where(uniq[pos] == node_of, first[pos], -1).astype(np.int64)
            idx[~np.isfinite(d)] = -1
            out_i, out_d = np.full((t_count, k), -1, dtype=np.int64), np.full((t_count, k), np.inf)
            out_i[:, 0], out_d[:, 0] = idx, d
            return out_i, out_d
        uniq, first = np.unique(source_nodes, return_index=True)
        dist, src = self.nearest_labels(uniq, k_eff)
        return _pick(uniq, first, dist, src, target_nodes, k, limit_s)

    def nearest_table(self, source_nodes, k: int) -> NearestTable:
        """The k nearest sources of every node, built once and then read per incident (see
        NearestTable): for answering many incidents against the same teams."""
        return NearestTable.build(self, source_nodes, k)

    def nearest_labels(self, sources, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest sources of every node: (seconds[k, n], source node[k, n]).

        Round 1 is one multi-source run (min_only). Round r finds, for every node v, the nearest
        source outside the set F(v) of its r-1 sources found so far, with one single-source run on
        an auxiliary graph: the edges u→w with F(u) = F(w) keep their time, and a super-source
        z gets an edge to each node w whose in-edge u→w crosses a boundary (F(u) ≠ F(w)), weighted
        by the best time at u of a source not in F(w), plus the edge. Exact: on the shortest path
        from the r-th source to v, take the last node u with F(u) ≠ F(v); some label of u outside
        F(v) is no farther than that source is from u, and beyond u the path stays where F = F(v).
        So k nearest cost k compiled passes over the graph plus vectorised numpy work.
        """
        sources = np.unique(np.asarray(sources, dtype=np.int64))
        n = self.n
        k = min(k, sources.size)
        dist = np.full((k, n), np.inf)
        src = np.full((k, n), -1, dtype=np.int64)
        if k == 0:
            return dist, src
        d1, s1 = self.nearest_source_times(sources)
        dist[0], src[0] = d1, np.where(np.isfinite(d1), s1, -1)
        g = self.csr.tocoo()
        eu, ev, ec = g.row.astype(np.int64), g.col.astype(np.int64), g.data
        for r in range(1, k):
            fs = np.sort(src[:r], axis=0)  # F(v) as a sorted column
            same = np.all(fs[:, eu] == fs[:, ev], axis=0)
            # Boundary edges: the best label of u that is not in F(w).
            bu, bw, bc = eu[~same], ev[~same], ec[~same]
            best = np.full(bu.size, np.inf)
            best_src = np.full(bu.size, -1, dtype=np.int64)
            for j in range(r):
                lab = src[j, bu]
                outside = np.all(src[:r, bw] != lab, axis=0) & (lab >= 0)
                val = np.where(outside, dist[j, bu] + bc, np.inf)
                better = val < best
                best = np.where(better, val, best)
                best_src = np.where(better, lab, best_src)
            ok = np.isfinite(best)
            bw, best, best_src = bw[ok], best[ok], best_src[ok]
            o = np.lexsort((best, bw))
            bw, best, best_src = bw[o], best[o], best_src[o]
            head = np.r_[True, bw[1:] != bw[:-1]]
            seed_w, seed_t, seed_s = bw[head], best[head], best_src[head]
            keep = same & np.all(fs[:, eu] >= 0, axis=0)
            dist[r], src[r] = _seeded_search(n, eu[keep], ev[keep], ec[keep], seed_w, seed_t, seed_s)
        return dist, src

    # --- storage --------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            node_lon=self.node_lon,
            node_lat=self.node_lat,
            edge_u=self.edge_u,
            edge_v=self.edge_v,
            edge_seconds=self.edge_seconds,
            edge_class=self.edge_class,
            classes=np.array(self.classes, dtype="U32"),
        )
        return buf.getvalue()

    def save(self, path: Path) -> str:
        data = self.to_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return hashlib.sha256(data).hexdigest()


def _seeded_search(n: int, eu, ev, ec, seed_w, seed_t, seed_s) -> tuple[np.ndarray, np.ndarray]:
    """One compiled search over nodes 0..n-1 and the edges (eu → ev, ec) from a super-source that
    reaches each seed node seed_w at time seed_t on behalf of source seed_s: the time of every node
    and the source of the seed its shortest path starts from (found by pointer jumping on the
    predecessors, log-depth vectorised steps)."""
    z = n
    hu = np.concatenate([eu, np.full(seed_w.size, z)])
    hv = np.concatenate([ev, seed_w])
    hc = np.concatenate([ec, seed_t])
    h = csr_matrix((np.maximum(hc, MIN_EDGE_SECONDS), (hu, hv)), shape=(n + 1, n + 1))
    d, pred = dijkstra(h, directed=True, indices=z, return_predecessors=True)
    d, pred = d[:n], pred[:n].astype(np.int64)
    idx = np.arange(n)
    top = np.where((pred == z) | (pred < 0), idx, pred)
    for _step in range(64):
        nxt = top[top]
        if np.array_equal(nxt, top):
            break
        top = nxt
    seed_of = np.full(n + 1, -1, dtype=np.int64)
    seed_of[seed_w] = seed_s
    return d, np.where(np.isfinite(d), seed_of[top], -1)


def _pick(uniq, first, dist, src, target_nodes, k: int, limit_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels (seconds[k', n], source node[k', n]) read at the targets, as (index[t, k], seconds[t, k])
    with indices into the caller's source list (the first source at a shared node)."""
    t_count = target_nodes.size
    k_eff = dist.shape[0]
    times = dist[:, target_nodes].T
    nodes = src[:, target_nodes].T
    times = np.where(times <= limit_s, times, np.inf)
    pos = np.clip(np.searchsorted(uniq, nodes), 0, max(uniq.size - 1, 0))
    order = np.where(np.isfinite(times) & (uniq[pos] == nodes), first[pos], -1)
    times = np.where(order >= 0, times, np.inf)
    if k_eff < k:
        order = np.hstack([order, np.full((t_count, k - k_eff), -1, dtype=np.int64)])
        times = np.hstack([times, np.full((t_count, k - k_eff), np.inf)])
    return order.astype(np.int64), times


@dataclass
class NearestTable:
    """The k nearest sources (teams) of every node of a graph, kept so that the k nearest teams of any
    number of incidents is a lookup: (k, n) seconds and source nodes, 16·k bytes per node (a
    200,000-node network with k = 3: 9.6 MB), where a full table per team would take 8·teams bytes
    per node. Built by Graph.nearest_labels (k compiled passes); a team that moves, arrives or
    leaves changes the sources, and `move` rebuilds (its cost is `build_seconds`, measured in
    `make bench-rescue`). Answers are exactly those of Graph.k_nearest with the same sources."""

    sources: np.ndarray
    k: int
    dist: np.ndarray
    src: np.ndarray
    uniq: np.ndarray
    first: np.ndarray
    build_seconds: float
    graph: Graph = field(repr=False)

    @classmethod
    def build(cls, graph: Graph, source_nodes, k: int) -> NearestTable:
        started = time.perf_counter()
        sources = np.asarray(source_nodes, dtype=np.int64).copy()
        uniq, first = np.unique(sources, return_index=True)
        dist, src = graph.nearest_labels(uniq, min(k, uniq.size))
        return cls(
            sources=sources,
            k=k,
            dist=dist,
            src=src,
            uniq=uniq,
            first=first,
            build_seconds=time.perf_counter() - started,
            graph=graph,
        )

    @property
    def fingerprint(self) -> str:
        """Which sources, where: a cache key that changes when any team moves."""
        return hashlib.sha1(self.sources.tobytes() + bytes([self.k])).hexdigest()

    def query(self, target_nodes, *, limit_s: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Same answer as Graph.k_nearest(sources, targets, k): (index[t, k], seconds[t, k])."""
        target_nodes = np.asarray(target_nodes, dtype=np.int64)
        if self.uniq.size == 0:
            t_count = target_nodes.size
            return np.full((t_count, self.k), -1, dtype=np.int64), np.full((t_count, self.k), np.inf)
        return _pick(self.uniq, self.first, self.dist, self.src, target_nodes, self.k, limit_s)

    def move(self, index: int, node: int) -> NearestTable:
        """Source `index` now stands at `node` (a team moved): a new table, updated where the move
        matters — the nodes that had the old place among their k nearest get their k-th label again
        from one search confined to them (`_drop_source`), and the nodes the new place reaches
        before their k-th label take it in (`_add_source`, one search bounded by the largest k-th
        time). Exact, like a rebuild; a rebuild is taken instead when the number of distinct places
        crosses k."""
        started = time.perf_counter()
        sources = self.sources.copy()
        old, node = int(sources[index]), int(node)
        sources[index] = node
        uniq, first = np.unique(sources, return_index=True)
        k_eff = self.dist.shape[0]
        if min(self.k, uniq.size) != k_eff or k_eff == 0:
            return NearestTable.build(self.graph, sources, self.k)
        dist, src = self.dist.copy(), self.src.copy()
        if old != node:
            if not np.any(sources == old):
                _drop_source(self.graph, dist, src, old)
            if not np.any(self.sources == node):
                _add_source(self.graph, dist, src, node)
        return NearestTable(
            sources=sources,
            k=self.k,
            dist=dist,
            src=src,
            uniq=uniq,
            first=first,
            build_seconds=time.perf_counter() - started,
            graph=self.graph,
        )


def _drop_source(g: Graph, dist: np.ndarray, src: np.ndarray, p: int) -> None:
    """Remove source node p from the labels (in place). The nodes A that had p among their k
    nearest keep their other k-1 labels F'(v) and need a new k-th: the nearest source outside F'(v).
    As in nearest_labels, on the shortest path from that source to v take the last node u that is
    not inside A with F'(u) = F'(v); u has a label outside F'(v) no farther than that source (u's
    k labels, or its k-1 nearest but p), and beyond u the path stays in A where F' = F'(v). So one
    search over A alone, seeded across those boundaries, is exact."""
    k, n = dist.shape
    has = src == p
    a = np.flatnonzero(has.any(axis=0))
    if a.size == 0:
        return
    # p's label out, the later ones up, the k-th slot empty.
    order = np.argsort(has[:, a], axis=0, kind="stable")
    sub_d = np.take_along_axis(dist[:, a], order, axis=0)
    sub_s = np.take_along_axis(src[:, a], order, axis=0)
    sub_d[k - 1], sub_s[k - 1] = np.inf, -1
    dist[:, a], src[:, a] = sub_d, sub_s
    loc = np.full(n, -1, dtype=np.int64)
    loc[a] = np.arange(a.size)
    # Every edge into A: row w of the reverse graph lists the u with an edge u → w.
    rev = g.csr_reverse
    starts, counts = rev.indptr[a], rev.indptr[a + 1] - rev.indptr[a]
    total = int(counts.sum())
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(total)
    w = np.repeat(a, counts)
    u = rev.indices[offs].astype(np.int64)
    c = rev.data[offs]
    known = k - 1
    fw = np.sort(src[:known, w], axis=0)
    fu = np.sort(src[:known, u], axis=0)
    same = (loc[u] >= 0) & np.all(fw == fu, axis=0)
    # Boundary edges: the best label of u outside F'(w).
    bu, bw, bc = u[~same], w[~same], c[~same]
    best = np.full(bu.size, np.inf)
    best_src = np.full(bu.size, -1, dtype=np.int64)
    for j in range(k):
        lab = src[j, bu]
        outside = np.all(src[:known, bw] != lab, axis=0) & (lab >= 0)
        val = np.where(outside, dist[j, bu] + bc, np.inf)
        better = val < best
        best = np.where(better, val, best)
        best_src = np.where(better, lab, best_src)
    ok = np.isfinite(best)
    bw, best, best_src = bw[ok], best[ok], best_src[ok]
    o = np.lexsort((best, bw))
    bw, best, best_src = bw[o], best[o], best_src[o]
    head = np.r_[True, bw[1:] != bw[:-1]] if bw.size else np.zeros(0, dtype=bool)
    d, s = _seeded_search(
        a.size, loc[u[same]], loc[w[same]], c[same], loc[bw[head]], best[head], best_src[head]
    )
    dist[k - 1, a], src[k - 1, a] = d, s


def _add_source(g: Graph, dist: np.ndarray, src: np.ndarray, q: int) -> None:
    """Add source node q to the labels (in place): every node it reaches sooner than its k-th label
    takes it in; the search stops at the largest k-th time (beyond it no label can change)."""
    kth = dist[-1]
    limit = float(kth.max()) if np.all(np.isfinite(kth)) else np.inf
    dq = dijkstra(g.csr, directed=True, indices=q, limit=limit)
    v = np.flatnonzero(dq < kth)
    if v.size == 0:
        return
    k = dist.shape[0]
    d = np.vstack([dist[:, v], dq[v][None, :]])
    s = np.vstack([src[:, v], np.full((1, v.size), q, dtype=np.int64)])
    order = np.argsort(d, axis=0, kind="stable")[:k]
    dist[:, v] = np.take_along_axis(d, order, axis=0)
    src[:, v] = np.take_along_axis(s, order, axis=0)


def load(path: Path) -> Graph:
    with np.load(path, allow_pickle=False) as z:
        return Graph(
            node_lon=z["node_lon"],
            node_lat=z["node_lat"],
            edge_u=z["edge_u"],
            edge_v=z["edge_v"],
            edge_seconds=z["edge_seconds"],
            edge_class=z["edge_class"],
            classes=[str(c) for c in z["classes"]],
        )


def _csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> csr_matrix:
    # csr_matrix sums duplicate (u, v) entries; parallel roads must keep the fastest instead.
    w = np.maximum(np.asarray(w, dtype=np.float64), MIN_EDGE_SECONDS)
    key = np.asarray(u, dtype=np.int64) * n + np.asarray(v, dtype=np.int64)
    order = np.lexsort((w, key))
    key, w = key[order], w[order]
    keep = np.ones(key.size, dtype=bool)
    keep[1:] = key[1:] != key[:-1]
    key, w = key[keep], w[keep]
    return csr_matrix((w, (key // n, key % n)), shape=(n, n))


def build(
    node_lon,
    node_lat,
    edge_u,
    edge_v,
    edge_seconds,
    edge_class=None,
    classes=None,
    *,
    keep_largest: bool = True,
) -> Graph:
    """A graph from raw arrays: drops self-loops, keeps the largest strongly connected part (so
    every kept node can reach and be reached from every other) and renumbers nodes densely."""
    node_lon = np.asarray(node_lon, dtype=np.float64)
    node_lat = np.asarray(node_lat, dtype=np.float64)
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    sec = np.asarray(edge_seconds, dtype=np.float32)
    cls = np.zeros(u.size, dtype=np.int8) if edge_class is None else np.asarray(edge_class, dtype=np.int8)
    classes = list(classes or ["road"])
    n = node_lon.size
    if n == 0 or u.size == 0:
        raise NetworkError(_("路网中没有道路"), code="empty")
    if u.min() < 0 or v.min() < 0 or max(u.max(), v.max()) >= n:
        raise NetworkError(_("路段指向不存在的节点"), code="bad_edge")
    if not np.all(np.isfinite(sec)) or np.any(sec < 0):
        raise NetworkError(_("行驶时间必须是有限的非负数"), code="bad_time")
    loop = u == v
    u, v, sec, cls = u[~loop], v[~loop], sec[~loop], cls[~loop]
    dropped = 0
    if keep_largest:
        g = _csr(u, v, sec, n)
        count, labels = connected_components(g, directed=True, connection="strong")
        if count > 1:
            sizes = np.bincount(labels)
            keep_nodes = labels == int(np.argmax(sizes))
            new_id = np.full(n, -1, dtype=np.int64)
            new_id[keep_nodes] = np.arange(int(keep_nodes.sum()))
            keep_edges = keep_nodes[u] & keep_nodes[v]
            u, v, sec, cls = new_id[u[keep_edges]], new_id[v[keep_edges]], sec[keep_edges], cls[keep_edges]
            node_lon, node_lat = node_lon[keep_nodes], node_lat[keep_nodes]
            dropped = n - int(keep_nodes.sum())
    return Graph(
        node_lon=node_lon,
        node_lat=node_lat,
        edge_u=u.astype(np.int32),
        edge_v=v.astype(np.int32),
        edge_seconds=sec.astype(np.float32),
        edge_class=cls,
        classes=classes,
        dropped_nodes=dropped,
    )


def seconds_for(length_m: np.ndarray, speed_kmh: np.ndarray) -> np.ndarray:
    return np.asarray(length_m, dtype=np.float64) / (np.asarray(speed_kmh, dtype=np.float64) / 3.6)
