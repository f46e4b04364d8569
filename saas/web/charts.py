"""Small charts drawn server-side as inline SVG: no CDN, no chart library in the page."""

from __future__ import annotations

import math

from saas.domain.scoring import PERSPECTIVES

RINGS = (25, 50, 75, 100)


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return round(cx + radius * math.sin(angle), 1), round(cy - radius * math.cos(angle), 1)


def _polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def radar(perspectives: dict, size: int = 280, margin: int = 40, side: int = 70) -> dict:
    """Geometry of a radar of the four perspectives (0-100), first axis up, clockwise.
    A perspective without data has no point (its label says 无数据): the polygon joins
    the perspectives with data only, never drawing a missing one as 0. The template
    draws rings, axes, the score polygon and labels; ``side`` widens the picture so the
    left and right labels are not cut off."""
    cx, cy = size / 2 + side, size / 2
    radius = size / 2 - margin
    angles = [2 * math.pi * i / len(PERSPECTIVES) for i in range(len(PERSPECTIVES))]
    rings = [_polygon([_point(cx, cy, radius * r / 100, a) for a in angles]) for r in RINGS]
    axes, labels, dots = [], [], []
    for name, angle in zip(PERSPECTIVES, angles, strict=True):
        value = perspectives.get(name)
        axes.append(_point(cx, cy, radius, angle))
        if value is not None:
            dots.append(_point(cx, cy, radius * max(0.0, min(100.0, value)) / 100, angle))
        x, y = _point(cx, cy, radius + 22, angle)
        labels.append({"perspective": name, "x": x, "y": y, "value": value,
                       "anchor": "middle" if abs(math.sin(angle)) < 0.1
                       else ("start" if math.sin(angle) > 0 else "end")})
    return {"width": size + 2 * side, "height": size, "cx": cx, "cy": cy, "rings": rings, "axes": axes,
            "shape": _polygon(dots), "dots": dots, "labels": labels}
