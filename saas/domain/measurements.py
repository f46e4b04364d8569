"""Measurements (指标数据录入): which indicators a period asks for, and how a typed or
imported value is read. Pure Python; messages are Chinese.

A row is ``{indicator_code, value, not_applicable, note, evidence_ids}``. The same
:func:`validate_rows` checks the API's bulk PUT, the web form and .xlsx/.csv imports, so
all three accept and refuse exactly the same things, and report every bad row at once.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from saas.domain.messages import N_, message_of
from saas.domain.scoring import NOT_APPLICABLE
from saas.domain.units import value_range, within

# An indicator is due in a period that covers at least one whole cycle of its frequency:
# a month asks for monthly indicators, a quarter also for quarterly ones, a year for all.
_FREQUENCIES_DUE = {
    "month": frozenset({"monthly"}),
    "quarter": frozenset({"monthly", "quarterly"}),
    "year": frozenset({"monthly", "quarterly", "annual"}),
}
UNIT_SUFFIX = {"%": "%", "CNY": "元", "days": "天", "hours": "小时", "score": "分"}
MAX_ABS_VALUE = 1e12
MAX_NOTE = 2000
MAX_ROWS = 1000

TRUE_WORDS = frozenset({"是", "有", "达标", "完成", "已完成", "yes", "y", "true", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "未达标", "未完成", "no", "n", "false", "0", "×", "✗"})
NA_WORDS = frozenset({"不适用", "n/a", "na"})

#: Column headers a file may use for each field (the template writes the first one).
HEADERS = {
    "indicator_code": ("指标编码", "indicator_code", "code"),
    "value": ("数值", "value", "实际值"),
    "not_applicable": ("不适用", "not_applicable"),
    "note": ("备注", "note"),
}
REQUIRED_HEADERS = ("indicator_code", "value")


def due_in(frequency: str, period_kind: str) -> bool:
    """Whether an indicator of ``frequency`` is measured in a ``period_kind`` period."""
    return frequency in _FREQUENCIES_DUE.get(period_kind, frozenset())


def unit_suffix(unit: str) -> str:
    return UNIT_SUFFIX.get(unit, "")


def _text(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def is_not_applicable_word(raw: Any) -> bool:
    return isinstance(raw, str) and _text(raw).lower() in NA_WORDS


def parse_flag(raw: Any) -> bool:
    """A yes/no cell (the 不适用 column): blank is no."""
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    word = _text(raw).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS or word == "":
        return False
    raise ValueError(N_("「%(raw)s」不是是/否", raw=raw))


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = _text(raw).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(N_("应填“是”或“否”"))


def _number(raw: Any) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = _text(raw).replace(",", "").removesuffix("%").strip()
        try:
            value = float(text)
        except ValueError:
            raise ValueError(N_("「%(raw)s」不是数字", raw=raw)) from None
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise ValueError(N_("数值超出范围"))
    return value


def _fmt(number: float) -> str:
    return f"{number:g}"


def check_range(value: float, bounds: tuple[float | None, float | None]) -> None:
    """ValueError (a msgid) when ``value`` is outside ``bounds`` (saas.domain.units)."""
    if within(value, bounds):
        return
    low, high = bounds
    if low is not None and high is not None:
        raise ValueError(N_("应在 %(low)s 到 %(high)s 之间", low=_fmt(low), high=_fmt(high)))
    if low is not None:
        raise ValueError(N_("不能小于 %(low)s", low=_fmt(low)))
    raise ValueError(N_("不能大于 %(high)s", high=_fmt(high)))


def parse_value(direction: str, unit: str, raw: Any, value_min: float | None = None,
                value_max: float | None = None):
    """The value of one measurement: None (blank: no data), :data:`NOT_APPLICABLE`
    ("不适用"), a bool (boolean indicators) or a float within the unit's range and the
    indicator's own bounds (saas.domain.units.value_range). ValueError (a msgid) otherwise."""
    if raw is None or (isinstance(raw, str) and _text(raw) == ""):
        return None
    if is_not_applicable_word(raw):
        return NOT_APPLICABLE
    if direction == "boolean":
        return _boolean(raw)
    value = _number(raw)
    check_range(value, value_range(unit, value_min, value_max))
    return value


@dataclass(frozen=True)
class IndicatorSpec:
    """What validation needs to know about one due indicator. Messages name it by
    ``name``, as the clerk knows it."""

    code: str
    direction: str
    unit: str
    name: str = ""
    value_min: float | None = None
    value_max: float | None = None

    @property
    def label(self) -> str:
        return self.name or self.code


@dataclass
class CleanRow:
    label: str
    indicator_code: str
    value: Any  # None | bool | float (never NOT_APPLICABLE: see not_applicable)
    not_applicable: bool
    note: str | None
    evidence_ids: list[int] | None = None  # None: leave the attached evidence as it is


@dataclass
class Validation:
    rows: list[CleanRow] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, label: str, message: str) -> None:
        self.errors.setdefault(label, []).append(message)


def _clean_row(row: Mapping, spec: IndicatorSpec, label: str, out: Validation) -> None:
    try:
        value = parse_value(spec.direction, spec.unit, row.get("value"), spec.value_min,
                            spec.value_max)
        flagged = parse_flag(row.get("not_applicable"))
    except ValueError as exc:
        out.add(label, N_("%(name)s：%(error)s", name=spec.label, error=message_of(exc)))
        return
    not_applicable = value is NOT_APPLICABLE or flagged
    note = row.get("note")
    note = None if note is None or str(note).strip() == "" else str(note).strip()
    if note is not None and len(note) > MAX_NOTE:
        out.add(label, N_("%(name)s：备注过长（最多 %(n)s 字）", name=spec.label, n=MAX_NOTE))
        return
    evidence = row.get("evidence_ids")
    out.rows.append(CleanRow(label, spec.code, None if not_applicable else value, not_applicable,
                             note, None if evidence is None else list(evidence)))


def validate_rows(rows: list[tuple[str, Mapping]],
                  due: Mapping[str, IndicatorSpec]) -> Validation:
    """Check every ``(label, row)``; errors are keyed by label (e.g. ``"row 7"``).
    The caller saves nothing unless ``errors`` is empty."""
    out = Validation()
    if len(rows) > MAX_ROWS:
        out.add("rows", N_("一次最多 %(n)s 行", n=MAX_ROWS))
        return out
    seen: dict[str, str] = {}
    for label, row in rows:
        code = _text(row.get("indicator_code") or "")
        if not code:
            out.add(label, N_("缺少指标编码"))
        elif code not in due:
            out.add(label, N_("指标编码 %(code)s 不在本期考核指标中", code=code))
        elif code in seen:
            out.add(label, N_("指标编码 %(code)s 重复（已见于 %(row)s）", code=code,
                              row=seen[code]))
        else:
            seen[code] = label
            _clean_row(row, due[code], label, out)
    return out


def map_headers(cells: list[Any]) -> dict[str, int]:
    """Column index of each field named in a header row; ValueError if a required
    column is missing."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _text(cell or "").lower()
        for key, aliases in HEADERS.items():
            if key not in found and name in {a.lower() for a in aliases}:
                found[key] = index
    missing = [HEADERS[k][0] for k in REQUIRED_HEADERS if k not in found]
    if missing:
        raise ValueError(N_("表头缺少列：%(columns)s", columns="、".join(missing)))
    return found
