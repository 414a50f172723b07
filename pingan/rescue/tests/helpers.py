"""Test helpers: a small network over the test world's two districts, teams and a way to save it."""

from __future__ import annotations

import numpy as np

from pingan.rescue import engine, network


def small_grid(
    lon0: float = 112.9,
    lat0: float = 23.5,
    lon1: float = 113.6,
    lat1: float = 24.4,
    step: float = 0.05,
    seconds: float = 120.0,
) -> network.Graph:
    """A regular two-way grid with the same time on every edge."""
    xs = np.arange(lon0, lon1 + 1e-9, step)
    ys = np.arange(lat0, lat1 + 1e-9, step)
    gx, gy = np.meshgrid(xs, ys)
    idx = np.arange(gx.size).reshape(gx.shape)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    return network.build(
        gx.ravel(), gy.ravel(), np.concatenate([a, b]), np.concatenate([b, a]), np.full(2 * a.size, seconds)
    )


def activate_small_network(**kw):
    return engine.save_network(small_grid(**kw), name="test grid", source="test")
