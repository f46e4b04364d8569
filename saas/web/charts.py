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
    """Geometry of a radar of the four perspectives (0-100; no data drawn at 0), first
    axis up, clockwise. The template draws rings, axes, the score polygon and labels;
    ``side`` widens the picture so the left and right labels are not cut off."""
    cx, cy = size / 2 + side, size / 2
    radius = size / 2 - margin
    angles = [2 * math.pi * i / len(PERSPECTIVES) for i in range(len(PERSPECTIVES))]
    rings = [_polygon([_point(cx, cy, radius * r / 100, a) for a in angles]) for r in RINGS]
    axes, labels, dots = [], [], []
    for name, angle in zip(PERSPECTIVES, angles, strict=True):
        value = perspectives.get(name)
        scaled = max(0.0, min(100.0, value or 0.0))
        axes.append(_point(cx, cy, radius, angle))
        dots.append(_point(cx, cy, radius * scaled / 100, angle))
        x, y = _point(cx, cy, radius + 22, angle)
        labels.append({"perspective": name, "x": x, "y": y, "value": value,
                       "anchor": "middle" if abs(math.sin(angle)) < 0.1
                       else ("start" if math.sin(angle) > 0 else "end")})
    return {"width": size + 2 * side, "height": size, "cx": cx, "cy": cy, "rings": rings, "axes": axes,
            "shape": _polygon(dots), "dots": dots, "labels": labels}
