"""指标单位: the unit a bureau writes (%, 件, 人次, 元, 天, 是/否 …) and the kind behind it,
which decides the values a measurement may take.

The unit itself is display text: an unknown unit is kept as written and treated as a
count, never refused. A percentage lies in 0-100, a count, an amount, a duration or a
score is not negative. A template gives an indicator its own ``min`` / ``max`` for the
exceptions (a growth rate may be negative, or above 100 %); either replaces the kind's
bound on its side.
"""

from __future__ import annotations

import unicodedata

KINDS: tuple[str, ...] = ("ratio", "count", "money", "duration", "score", "boolean")

UNIT_KINDS: dict[str, str] = {
    "%": "ratio", "‰": "ratio",
    "count": "count", "件": "count", "次": "count", "人次": "count", "人": "count",
    "例": "count", "家": "count", "张": "count", "份": "count",
    "CNY": "money", "元": "money", "万元": "money",
    "days": "duration", "天": "duration", "日": "duration", "hours": "duration",
    "小时": "duration", "分钟": "duration",
    "score": "score", "分": "score",
    "yes/no": "boolean", "是/否": "boolean",
}
"""The units the seeds and bureaus use, with their English forms."""

KIND_RANGES: dict[str, tuple[float | None, float | None]] = {
    "ratio": (0.0, 100.0),
    "count": (0.0, None),
    "money": (0.0, None),
    "duration": (0.0, None),
    "score": (0.0, None),
    "boolean": (None, None),
}
MAX_UNIT_LENGTH = 16


def normalise(unit: str) -> str:
    """The unit as stored: full-width forms folded (％ → %), spaces trimmed."""
    return unicodedata.normalize("NFKC", unit).strip()


def kind_of(unit: str | None) -> str:
    """The kind behind a unit; an unknown unit counts."""
    return UNIT_KINDS.get(normalise(unit or ""), "count")


def value_range(unit: str | None, value_min: float | None = None,
                value_max: float | None = None) -> tuple[float | None, float | None]:
    """(lowest, highest) a measurement may take, None where unbounded: the unit kind's
    range, each side replaced by the indicator's own bound when it has one."""
    low, high = KIND_RANGES[kind_of(unit)]
    return (low if value_min is None else value_min, high if value_max is None else value_max)


def within(value: float, bounds: tuple[float | None, float | None]) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)
