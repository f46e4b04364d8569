"""Indicator scoring and the balanced scorecard (平衡计分卡).

Pure Python, standard library only: no Flask, no database. Every number (targets,
warning and zero lines, weights, grade bands, deduction rate, run lengths) comes from
arguments or their defaults; the defaults follow ``/work/shared/domain.md``.

Vocabulary
    * 可量化检查指标 measurable indicator -> :class:`IndicatorRule`
    * 三色预警 three-colour warning -> ``IndicatorScore.color`` (green / yellow / red)
    * 平衡计分卡 balanced scorecard -> :func:`score_scorecard`
    * 年度考核 annual assessment, 记分 points -> :func:`annual_total`
    * 排名 / 同级同类 ranking in the region and the peer group -> :func:`rank`,
      :func:`rank_in_groups`
    * 晴雨表 monthly barometer, "连续三个月排名后三位" -> :func:`bottom_n`,
      :func:`consecutive_flag`
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Self

PERSPECTIVES: tuple[str, ...] = ("financial", "patient", "process", "learning")
"""财务 / 患者 / 内部流程 / 学习与成长, in display order."""

DIRECTIONS: tuple[str, ...] = ("lower_better", "higher_better", "boolean")
COLORS: tuple[str, ...] = ("green", "yellow", "red", "no_data")
STATUSES: tuple[str, ...] = ("scored", "missing", "not_applicable")
GRADES: tuple[str, ...] = ("excellent", "pass", "basic", "fail")
GRADE_LABELS_ZH: dict[str, str] = {"excellent": "优秀", "pass": "合格", "basic": "基本合格",
                                   "fail": "不合格"}

DEFAULT_WEIGHTS: dict[str, float] = {
    "financial": 25,
    "patient": 25,
    "process": 25,
    "learning": 25,
}
"""Default perspective weights of the 平衡计分卡 (a template may override them)."""

TOTAL_DECIMALS = 2
"""Indicator points, perspective scores and totals are kept to this many decimals
(得分保留两位小数), rounded half up (四舍五入). Sums are then exact whole numbers of
hundredths, so what a clerk adds up on the scorecard is what the engine added up, and
the set-based recompute in SQL gets the same numbers in any summing order."""
UNIT = 10 ** TOTAL_DECIMALS
"""Whole units of a kept score: hundredths."""


def hundredths(x: float) -> int:
    """``x`` to whole hundredths, half up, as ``floor(x * 100 + 0.5)`` in IEEE double
    arithmetic: the same operations in SQL give the same integer."""
    return math.floor(x * float(UNIT) + 0.5)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves up (both >= 0,
    denominator > 0), in exact integer arithmetic."""
    return (2 * numerator + denominator) // (2 * denominator)


class _NotApplicable:
    """Type of :data:`NOT_APPLICABLE` (不适用): a singleton, survives copy and pickle."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> Self:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    def __reduce__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()
"""Measurement value meaning "indicator does not apply here" (不适用): excluded from
the denominator, unlike ``None`` (missing data, 无数据) which counts in completeness."""


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndicatorRule:
    """One measurable indicator (可量化检查指标) of an agreement clause.

    ``lower_better`` (≤): target T, warning line W below T (预警线), zero line Z above T.
    ``higher_better`` (≥): mirrored, W above T, Z below T.
    ``boolean`` (是/否): lines unused. ``target`` is required except for ``boolean``.
    ``warning=None`` never turns yellow; ``zero=None`` (or a zero line not beyond the
    target) scores 0 as soon as the target is missed.
    """

    code: str
    perspective: str
    direction: str
    target: float | None
    warning: float | None
    zero: float | None
    max_points: float

    def __post_init__(self) -> None:
        if self.perspective not in PERSPECTIVES:
            raise ValueError("unknown perspective", self.code, self.perspective)
        if self.direction not in DIRECTIONS:
            raise ValueError("unknown direction", self.code, self.direction)
        if self.direction != "boolean" and self.target is None:
            raise ValueError("the indicator's direction needs a target", self.code,
                             self.direction)
        if not self.max_points >= 0:
            raise ValueError("max_points must be >= 0", self.code)


@dataclass(frozen=True)
class IndicatorScore:
    """Result of one measurement: ``score`` in points to hundredths (None unless scored)."""

    code: str
    value: Any
    score: float | None
    max_points: float
    color: str
    status: str


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _oriented(rule: IndicatorRule, value: float) -> tuple[float, float | None, float | None]:
    """Map to "lower is better": (value, warning, zero) relative to the target, so that
    ``d <= 0`` meets the target, ``d > w`` is past the warning line, ``d >= z`` is zero."""
    sign = 1.0 if rule.direction == "lower_better" else -1.0
    target = float(rule.target)  # type: ignore[arg-type]

    def rel(x: float | None) -> float | None:
        return None if x is None else sign * (float(x) - target)

    return sign * (value - target), rel(rule.warning), rel(rule.zero)


def _linear_points(d: float, z: float | None, max_points: float) -> float:
    """Points for a missed target (d > 0): linear from full at the target to 0 at z,
    to hundredths (half up)."""
    if z is None or z <= 0 or d >= z:
        return 0.0
    return hundredths(min(max_points, max(0.0, max_points * (z - d) / z))) / UNIT


def _full(rule: IndicatorRule) -> float:
    return hundredths(float(rule.max_points)) / UNIT


def _score_numeric(rule: IndicatorRule, value: Any) -> IndicatorScore:
    v = float(value)
    d, w, z = _oriented(rule, v)
    if d <= 0:
        color = "yellow" if w is not None and d > w else "green"
        return IndicatorScore(rule.code, v, _full(rule), rule.max_points, color, "scored")
    points = _linear_points(d, z, float(rule.max_points))
    return IndicatorScore(rule.code, v, points, rule.max_points, "red", "scored")


def score_indicator(rule: IndicatorRule, value: Any) -> IndicatorScore:
    """Score one measurement with the 三色预警 colours.

    Meets target → full points; at or beyond the zero line → 0; in between linear.
    green: meets target, not past the warning line (exactly at the warning line is
    green); yellow: past the warning line but meets target; red: misses target.
    ``boolean``: truthy → full/green, falsy → 0/red. ``None`` (or NaN) → missing,
    :data:`NOT_APPLICABLE` → not applicable; both score None and show ``no_data``.
    """
    if value is NOT_APPLICABLE:
        return IndicatorScore(rule.code, NOT_APPLICABLE, None, rule.max_points, "no_data",
                              "not_applicable")
    if _is_missing(value):
        return IndicatorScore(rule.code, None, None, rule.max_points, "no_data", "missing")
    if rule.direction == "boolean":
        ok = bool(value)
        return IndicatorScore(rule.code, value, _full(rule) if ok else 0.0,
                              rule.max_points, "green" if ok else "red", "scored")
    return _score_numeric(rule, value)


# --------------------------------------------------------------------------- grades


@dataclass(frozen=True)
class GradeBands:
    """Lower bounds (inclusive) of the grades 优秀 / 合格 / 基本合格; below ``basic``
    is 不合格. The field is ``pass_`` (``pass`` is a keyword); :meth:`from_mapping`
    reads the spec's ``{excellent, pass, basic}``."""

    excellent: float = 90
    pass_: float = 75
    basic: float = 60

    def __post_init__(self) -> None:
        if not self.excellent >= self.pass_ >= self.basic:
            raise ValueError("grade bands must satisfy excellent >= pass >= basic")

    @classmethod
    def from_mapping(cls, bands: Mapping[str, float] | None) -> GradeBands:
        """Build from ``{excellent, pass, basic}`` (missing keys keep their defaults)."""
        bands = dict(bands or {})
        if "pass" in bands:
            bands["pass_"] = bands.pop("pass")
        return cls(**bands)


def grade_for(total: float | None, bands: GradeBands = GradeBands()) -> str | None:
    """Grade of a total (年度考核等级): ``excellent|pass|basic|fail``; None for None."""
    if total is None:
        return None
    if total >= bands.excellent:
        return "excellent"
    if total >= bands.pass_:
        return "pass"
    if total >= bands.basic:
        return "basic"
    return "fail"


# --------------------------------------------------------------------------- scorecard


@dataclass
class Scorecard:
    """A 平衡计分卡 result. ``total`` and ``perspectives`` are kept to
    :data:`TOTAL_DECIMALS`; a perspective without scored indicators is None."""

    total: float | None
    grade: str | None
    perspectives: dict[str, float | None]
    indicators: list[IndicatorScore] = field(default_factory=list)
    completeness: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The contract's scorecard shape (NOT_APPLICABLE values become None)."""
        return {
            "total": self.total,
            "grade": self.grade,
            "completeness": self.completeness,
            "perspectives": dict(self.perspectives),
            "indicators": [
                {"code": s.code, "value": None if s.value is NOT_APPLICABLE else s.value,
                 "score": s.score, "max_points": s.max_points, "color": s.color,
                 "status": s.status}
                for s in self.indicators
            ],
        }


def _perspective_hundredths(rules: list[IndicatorRule],
                            scores: list[IndicatorScore]) -> dict[str, int | None]:
    """earned / max of *scored* indicators × 100 per perspective, in hundredths (half up);
    None when the perspective has no scored indicator with points."""
    earned = dict.fromkeys(PERSPECTIVES, 0)
    possible = dict.fromkeys(PERSPECTIVES, 0)
    for rule, s in zip(rules, scores, strict=True):
        if s.status == "scored":
            earned[rule.perspective] += hundredths(s.score)  # type: ignore[arg-type]
            possible[rule.perspective] += hundredths(float(rule.max_points))
    return {p: (_half_up(100 * UNIT * earned[p], possible[p]) if possible[p] > 0 else None)
            for p in PERSPECTIVES}


def _weighted_total(perspectives: Mapping[str, int | None],
                   weights: Mapping[str, float]) -> int | None:
    """The weighted mean of the perspective scores with data (in hundredths, as shown),
    weights (to hundredths) renormalised over those; in hundredths, half up. None when no
    perspective has data (or those that do all weigh 0)."""
    pairs = [(hundredths(float(weights.get(p, 0))), s) for p, s in perspectives.items()
             if s is not None]
    weight_sum = sum(w for w, _ in pairs)
    if weight_sum <= 0:
        return None
    return _half_up(sum(w * s for w, s in pairs), weight_sum)


def perspective_contributions(perspectives: Mapping[str, float | None],
                              weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> dict:
    """权重与贡献: per perspective its template ``weight``, its ``share`` of the total in
    percent (the weights renormalised over the perspectives with data, as the total is)
    and its ``contribution``, score × share, to hundredths; None without data. The
    contributions add up to the total within a hundredth per perspective (each is
    rounded)."""
    with_data = {p: hundredths(float(weights.get(p, 0))) for p in PERSPECTIVES
                 if perspectives.get(p) is not None}
    weight_sum = sum(with_data.values())
    out = {}
    for p in PERSPECTIVES:
        share = with_data[p] / weight_sum if p in with_data and weight_sum > 0 else 0.0
        score = perspectives.get(p)
        out[p] = {"weight": float(weights.get(p, 0)), "share": round(100 * share, 2),
                  "contribution": None if score is None or weight_sum <= 0
                  else hundredths(score * share) / UNIT}
    return out


def _completeness(scores: list[IndicatorScore]) -> float:
    applicable = [s for s in scores if s.status != "not_applicable"]
    if not applicable:
        return 1.0
    return sum(s.status == "scored" for s in applicable) / len(applicable)


def _shown(x: int | None) -> float | None:
    """Hundredths as the number shown (87.5 for 8750)."""
    return None if x is None else x / UNIT



def score_scorecard(rules: Iterable[IndicatorRule], values: Mapping[str, Any],
                    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
                    bands: GradeBands = GradeBands()) -> Scorecard:
    """Score a 平衡计分卡: each rule against ``values[rule.code]`` (absent → missing).

    The grade is taken from the rounded total, i.e. the number users see.
    """
    rules = list(rules)
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate indicator codes in the scorecard rules")
    if any(w < 0 for w in weights.values()):
        raise ValueError("perspective weights must be >= 0")
    scores = [score_indicator(r, values.get(r.code)) for r in rules]
    perspectives = _perspective_hundredths(rules, scores)
    total = _shown(_weighted_total(perspectives, weights))
    return Scorecard(total=total, grade=grade_for(total, bands),
                     perspectives={p: _shown(s) for p, s in perspectives.items()},
                     indicators=scores, completeness=_completeness(scores))


# --------------------------------------------------------------------------- annual / ranking


def annual_total(period_totals: list[float | None], points: float,
                 points_per_deduction: float = 1.0) -> float | None:
    """年度考核 total: mean of the periods with a total, minus ``points`` (记分) *
    ``points_per_deduction`` (default 1 point of 记分 = 1 point off), floored at 0.
    None when no period has a total."""
    known = [t for t in period_totals if t is not None]
    if not known:
        return None
    mean = Fraction(sum(hundredths(t) for t in known), len(known))
    rest = max(Fraction(0), mean - Fraction(points) * Fraction(points_per_deduction) * UNIT)
    return _shown(_half_up(rest.numerator, rest.denominator))


def rank(totals: Mapping[Hashable, float | None]) -> dict[Hashable, int | None]:
    """Competition ranking (1, 2, 2, 4), highest total first (排名); None → None."""
    known = sorted((t for t in totals.values() if t is not None), reverse=True)
    first: dict[float, int] = {}
    for i, t in enumerate(known, start=1):
        first.setdefault(t, i)
    return {k: (None if t is None else first[t]) for k, t in totals.items()}


def peer_key(kind: str, level: str | None) -> tuple[str, str | None]:
    """Peer group (同级同类): same institution kind and level; blank level → None."""
    return (kind, level or None)


def peer_group(kind: str, level: str | None) -> str:
    """:func:`peer_key` as one string ("hospital/三级", "pharmacy/"), as the rank read
    model stores it."""
    return f"{kind}/{level or ''}"


def rank_in_groups(totals: Mapping[Hashable, float | None],
                   group_of: Mapping[Hashable, Hashable]) -> dict[Hashable, int | None]:
    """:func:`rank` within each group (e.g. ``group_of[k] = peer_key(kind, level)``).
    Keys absent from ``group_of`` are ranked together in the group ``None``."""
    groups: dict[Hashable, dict[Hashable, float | None]] = {}
    for key, total in totals.items():
        groups.setdefault(group_of.get(key), {})[key] = total
    ranks: dict[Hashable, int | None] = {}
    for members in groups.values():
        ranks.update(rank(members))
    return {k: ranks[k] for k in totals}


def bottom_n(totals: Mapping[Hashable, float | None], n: int) -> set[Hashable]:
    """The ``n`` lowest keys with a total (晴雨表 "排名后三位": n=3); ties at the
    boundary are all included, so the set may hold more than ``n`` keys."""
    known = sorted(t for t in totals.values() if t is not None)
    if n <= 0 or not known:
        return set()
    boundary = known[min(n, len(known)) - 1]
    return {k for k, t in totals.items() if t is not None and t <= boundary}


def consecutive_flag(history: list[bool], run: int) -> bool:
    """True when the last ``run`` periods (oldest first) are all True: e.g. 连续三个月
    排名后三位 → 帮扶 (run=3), 连续两次检查不达标 → 约谈 (run=2)."""
    if run < 1:
        raise ValueError("run must be >= 1")
    return len(history) >= run and all(history[-run:])


def colour_counts(card: Scorecard) -> tuple[int, int]:
    """(red, yellow): how many of the scorecard's indicators are red, how many yellow."""
    colours = [i.color for i in card.indicators]
    return colours.count("red"), colours.count("yellow")
