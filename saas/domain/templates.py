"""协议范本 agreement templates: validation, defaults, clause flattening and version diff.

Pure Python, standard library only (no Flask, no database, no YAML). A template is the
plain mapping of the tenant spec (``/work/shared/contract.md``)::

    code, name, version, applies_to, perspective_weights, grade_bands, points,
    thresholds, clauses: [{number, title, text, indicators: [...], children: [...]}]

Clauses are numbered chapter / article / item ("3", "3.2", "3.2.1"). They can be written
as a flat list (the parent of "3.2.1" is the longest other number it starts with) or
nested with ``children:`` (a child's number must start with its parent's number and a
dot). Every leaf clause should map to measurable indicators (条款对应制).

:func:`validate_template` reports every problem as ``(path, message)`` with ``path``
relative to the template, e.g. ``clauses[1].indicators[0].warning``; messages are
Chinese, field names stay English.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from saas.domain import measures as measure_rules
from saas.domain import units
from saas.domain.points import DEFAULT_SEVERITY_POINTS
from saas.domain.scoring import DEFAULT_WEIGHTS, DIRECTIONS, PERSPECTIVES, UNIT, GradeBands

__all__ = [
    "CLAUSE_KEYS",
    "DATA_SOURCES",
    "DEFAULT_INDICATOR_SETTINGS",
    "DEFAULT_TEMPLATE_SETTINGS",
    "DIRECTIONS",
    "FREQUENCIES",
    "GRADE_KEYS",
    "INDICATOR_KEYS",
    "INSTITUTION_KINDS",
    "MEASURES",
    "PERSPECTIVES",
    "PERSPECTIVE_LABELS_ZH",
    "SEVERITIES",
    "TEMPLATE_KEYS",
    "Problem",
    "diff_templates",
    "flatten_clauses",
    "iter_indicators",
    "key_problems",
    "validate_template",
    "with_defaults",
]

Problem = tuple[str, str]
"""``(path, message)``: path relative to the template, message in Chinese."""

PERSPECTIVE_LABELS_ZH: dict[str, str] = {
    "financial": "财务",
    "patient": "患者",
    "process": "内部流程",
    "learning": "学习与成长",
}
FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "annual")
DATA_SOURCES: tuple[str, ...] = ("self_report", "claims", "survey", "inspection")
SEVERITIES: tuple[str, ...] = ("minor", "general", "serious", "fraud")
GRADE_KEYS: tuple[str, ...] = ("excellent", "pass", "basic")
#: The measures a threshold may propose: the contract's (saas.domain.measures) but those
#: with an amount, which a person sets; those with months are the ones that last.
MEASURES: tuple[str, ...] = tuple(m for m in measure_rules.MEASURES
                                  if m not in measure_rules.WITH_AMOUNT)
MEASURES_WITH_MONTHS: tuple[str, ...] = tuple(m for m in MEASURES
                                              if m in measure_rules.WITH_MONTHS)
INSTITUTION_KINDS: tuple[str, ...] = ("hospital", "clinic", "pharmacy")

_BANDS = GradeBands()
DEFAULT_TEMPLATE_SETTINGS: dict[str, Any] = {
    "perspective_weights": dict(DEFAULT_WEIGHTS),
    "grade_bands": {"excellent": _BANDS.excellent, "pass": _BANDS.pass_, "basic": _BANDS.basic},
    "points": dict(DEFAULT_SEVERITY_POINTS),
    "thresholds": [
        {"points": 3, "measure": "interview"},
        {"points": 6, "measure": "rectification_order"},
        {"points": 9, "measure": "public_notice"},
        {"points": 12, "measure": "suspension", "months": 3},
    ],
}
"""domain.md defaults: weights 25 each; 优秀 ≥ 90 / 合格 ≥ 75 / 基本合格 ≥ 60; 记分
minor 2 / general 5 / serious 8 / fraud 12; ≥ 3 约谈, ≥ 6 限期整改, ≥ 9 通报批评,
≥ 12 中止协议 (3 months)."""

DEFAULT_INDICATOR_SETTINGS: dict[str, Any] = {
    "frequency": "monthly",
    "data_source": "self_report",
    "evidence_required": False,
}

# (required, optional) keys of each mapping.
TEMPLATE_KEYS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("code", "name", "applies_to", "clauses"),
    ("version", "name_en", "description", "perspective_weights", "grade_bands", "points",
     "thresholds", "bar_years"),
)
#: bar_years: years of the re-entry bar after a rescission, by cause, and for the persons.
BAR_YEAR_KEYS: tuple[str, ...] = ("breach", "violation", "fraud", "person")
CLAUSE_KEYS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("number", "title"),
    ("text", "indicators", "children", "parent"),
)
INDICATOR_KEYS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("code", "name", "perspective", "unit", "direction", "max_points"),
    ("name_en", "description", "target", "warning", "zero", "frequency", "data_source",
     "evidence_required", "min", "max"),
)
THRESHOLD_KEYS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("points", "measure"),
    ("months", "note"),
)

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
CLAUSE_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)*$")


# --------------------------------------------------------------------------- helpers


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _two_decimals(x: float) -> bool:
    """At most TOTAL_DECIMALS decimals: points and weights are kept to hundredths
    (saas.domain.scoring)."""
    return abs(x * UNIT - round(x * UNIT)) < 1e-6


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _choices(values: tuple[str, ...]) -> str:
    return " / ".join(values)


def _suggest(word: Any, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(str(word), list(allowed), n=1, cutoff=0.6)
    return f"，是否应为 '{close[0]}'？" if close else ""


def key_problems(obj: Any, path: str, required: tuple[str, ...],
                 optional: tuple[str, ...], what: str = "") -> list[Problem]:
    """Shape of one mapping: must be a mapping, have ``required``, nothing unknown.

    A missing key is reported at the mapping's path, an unknown key at its own path.
    Shared with the tenant spec loader.
    """
    label = what or "此项"
    sep = " " if label[-1:].isascii() else ""
    if not isinstance(obj, Mapping):
        return [(path, f"{label}{sep}应为映射（key: value），实际为 {_type_zh(obj)}")]
    problems: list[Problem] = []
    for key in required:
        if key not in obj or obj[key] is None:
            problems.append((path, f"缺少必填字段 {key}"))
    allowed = tuple(required) + tuple(optional)
    for key in obj:
        if key not in allowed:
            problems.append((
                _join(path, str(key)),
                f"未知字段 '{key}'{_suggest(key, allowed)}（允许的字段：{', '.join(allowed)}）",
            ))
    return problems


def _type_zh(obj: Any) -> str:
    if obj is None:
        return "空值"
    if isinstance(obj, bool):
        return "布尔值"
    if isinstance(obj, int | float):
        return "数字"
    if isinstance(obj, str):
        return "文本"
    if isinstance(obj, list | tuple):
        return "列表"
    if isinstance(obj, Mapping):
        return "映射"
    return type(obj).__name__


def _present(obj: Mapping, key: str) -> bool:
    """An optional key counts as given only when not None (with_defaults writes None)."""
    return key in obj and obj[key] is not None


def _text_problem(obj: Mapping, key: str, path: str) -> list[Problem]:
    if _present(obj, key) and (not isinstance(obj[key], str) or not obj[key].strip()):
        return [(_join(path, key), f"{key} 应为非空文本")]
    return []


def _clause_number(raw: Any) -> str | None:
    """The clause number as text; ints are accepted ("3"), floats are not (3.10 → 3.1)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip()
    return None


# --------------------------------------------------------------------------- validation


def validate_template(t: Any) -> list[Problem]:
    """Every problem of one template as ``(path, message)``; empty means valid."""
    problems = key_problems(t, "", *TEMPLATE_KEYS, what="协议范本")
    if not isinstance(t, Mapping):
        return problems
    problems += _header_problems(t)
    problems += _settings_problems(t)
    if _present(t, "clauses"):
        problems += _clauses_problems(t["clauses"])
    return problems


def _header_problems(t: Mapping) -> list[Problem]:
    problems: list[Problem] = []
    code = t.get("code")
    if code is not None and (not isinstance(code, str) or not CODE_RE.match(code)):
        problems.append(("code", (f"范本编码 '{code}' 格式不正确（应为大写字母、数字和连字符，"
                                 "如 HOSP-2026）")))
    problems += _text_problem(t, "name", "")
    problems += _text_problem(t, "name_en", "")
    if _present(t, "description") and not isinstance(t["description"], str):
        problems.append(("description", "description 应为文本"))
    if _present(t, "version"):
        v = t["version"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            problems.append(("version", f"版本号 version 应为正整数（当前 {v!r}）"))
    if _present(t, "applies_to"):
        kinds = t["applies_to"]
        if isinstance(kinds, str):
            kinds = [kinds]
            problems.append(("applies_to", "applies_to 应为列表，例如 [hospital]"))
        elif not isinstance(kinds, list) or not kinds:
            problems.append(("applies_to", "applies_to 应为非空列表，例如 [hospital]"))
            kinds = []
        for i, kind in enumerate(kinds):
            if kind not in INSTITUTION_KINDS:
                problems.append((
                    _join("applies_to", i) if isinstance(t["applies_to"], list) else "applies_to",
                    (f"未知机构类型 '{kind}'{_suggest(kind, INSTITUTION_KINDS)}"
                    f"（应为 {_choices(INSTITUTION_KINDS)}）"),
                ))
    return problems


def _settings_problems(t: Mapping) -> list[Problem]:
    problems: list[Problem] = []

    if _present(t, "perspective_weights"):
        w = t["perspective_weights"]
        if not isinstance(w, Mapping):
            problems.append(("perspective_weights", ("perspective_weights 应为映射，"
                                                    "例如 {financial: 25, patient: 25, ...}")))
        else:
            ok = True
            for key in w:
                if key not in PERSPECTIVES:
                    ok = False
                    problems.append((_join("perspective_weights", str(key)),
                                     (f"未知维度 '{key}'{_suggest(key, PERSPECTIVES)}"
                                     f"（应为 {_choices(PERSPECTIVES)}）")))
            missing = [p for p in PERSPECTIVES if p not in w]
            if missing:
                ok = False
                names = "、".join(f"{p}（{PERSPECTIVE_LABELS_ZH[p]}）" for p in missing)
                problems.append(("perspective_weights", f"缺少维度 {names} 的权重"))
            for p in PERSPECTIVES:
                if p in w and (not _is_number(w[p]) or w[p] < 0):
                    ok = False
                    problems.append((_join("perspective_weights", p),
                                     f"权重应为不小于 0 的数字（当前 {w[p]!r}）"))
                elif p in w and not _two_decimals(w[p]):
                    ok = False
                    problems.append((_join("perspective_weights", p),
                                     f"权重最多保留两位小数（当前 {w[p]!r}）"))
            if ok:
                total = sum(w[p] for p in PERSPECTIVES)
                if not math.isclose(total, 100, abs_tol=1e-9):
                    problems.append(("perspective_weights",
                                     f"四个维度的权重之和应为 100（当前为 {_fmt(total)}）"))

    if _present(t, "grade_bands"):
        b = t["grade_bands"]
        if not isinstance(b, Mapping):
            problems.append(("grade_bands", ("grade_bands 应为映射，"
                                            "例如 {excellent: 90, pass: 75, basic: 60}")))
        else:
            ok = True
            for key in b:
                if key not in GRADE_KEYS:
                    ok = False
                    problems.append((_join("grade_bands", str(key)),
                                     (f"未知等级 '{key}'{_suggest(key, GRADE_KEYS)}"
                                     f"（应为 {_choices(GRADE_KEYS)}）")))
                elif not _is_number(b[key]):
                    ok = False
                    problems.append((_join("grade_bands", str(key)),
                                     f"分数线应为数字（当前 {b[key]!r}）"))
            if ok:
                merged = {**DEFAULT_TEMPLATE_SETTINGS["grade_bands"], **b}
                e, p, s = merged["excellent"], merged["pass"], merged["basic"]
                if not (100 >= e > p > s > 0):
                    problems.append(("grade_bands",
                                     (f"等级分数线应满足 100 ≥ 优秀 excellent > 合格 pass > "
                                     f"基本合格 basic > 0（当前 {_fmt(e)} / {_fmt(p)} / "
                                     f"{_fmt(s)}）")))

    if _present(t, "points"):
        pts = t["points"]
        if not isinstance(pts, Mapping):
            problems.append(("points", ("points 应为映射，"
                                       "例如 {minor: 2, general: 5, serious: 8, fraud: 12}")))
        else:
            ok = True
            for key in pts:
                if key not in SEVERITIES:
                    ok = False
                    problems.append((_join("points", str(key)),
                                     (f"未知严重程度 '{key}'{_suggest(key, SEVERITIES)}"
                                     f"（应为 {_choices(SEVERITIES)}）")))
                elif not _is_number(pts[key]) or pts[key] <= 0:
                    ok = False
                    problems.append((_join("points", str(key)),
                                     f"记分应为大于 0 的数字（当前 {pts[key]!r}）"))
            if ok:
                merged = {**DEFAULT_TEMPLATE_SETTINGS["points"], **pts}
                values = [merged[s] for s in SEVERITIES]
                if values != sorted(values):
                    problems.append(("points", ("记分应随严重程度不减：minor ≤ general ≤ "
                                               f"serious ≤ fraud（当前 "
                                               f"{' / '.join(_fmt(v) for v in values)}）")))

    if _present(t, "thresholds"):
        problems += _thresholds_problems(t["thresholds"])
    if _present(t, "bar_years"):
        problems += _bar_years_problems(t["bar_years"])
    return problems


def _bar_years_problems(years: Any) -> list[Problem]:
    if not isinstance(years, Mapping):
        return [("bar_years", "bar_years 应为映射，例如 {breach: 1, violation: 3, fraud: 3, person: 5}")]
    problems: list[Problem] = []
    for key, value in years.items():
        if key not in BAR_YEAR_KEYS:
            problems.append((_join("bar_years", str(key)),
                             f"未知限制类别 '{key}'（应为 {_choices(BAR_YEAR_KEYS)}）"))
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            problems.append((_join("bar_years", str(key)),
                             f"限制年数应为 0 至 10 的整数（当前 {value!r}）"))
    return problems


def _thresholds_problems(th: Any) -> list[Problem]:
    if not isinstance(th, list):
        return [("thresholds", "thresholds 应为列表，例如 [{points: 3, measure: interview}, ...]")]
    problems: list[Problem] = []
    previous: float | None = None
    for i, item in enumerate(th):
        path = _join("thresholds", i)
        item_problems = key_problems(item, path, *THRESHOLD_KEYS, what="阈值")
        problems += item_problems
        if not isinstance(item, Mapping):
            continue
        pts = item.get("points")
        if pts is not None:
            if not _is_number(pts) or pts <= 0:
                problems.append((_join(path, "points"), f"记分阈值应为大于 0 的数字（当前 {pts!r}）"))
            else:
                if previous is not None and pts <= previous:
                    problems.append((_join(path, "points"),
                                     (f"阈值应按记分从小到大排列：{_fmt(pts)} 不大于上一项 "
                                     f"{_fmt(previous)}")))
                previous = pts
        measure = item.get("measure")
        if measure is not None and measure not in MEASURES:
            problems.append((_join(path, "measure"),
                             (f"未知处理措施 '{measure}'{_suggest(measure, MEASURES)}"
                             f"（应为 {_choices(MEASURES)}）")))
        if _present(item, "months"):
            months = item["months"]
            if isinstance(months, bool) or not isinstance(months, int) or months < 1:
                problems.append((_join(path, "months"), f"months 应为正整数（当前 {months!r}）"))
            elif measure in MEASURES and measure not in MEASURES_WITH_MONTHS:
                problems.append((_join(path, "months"),
                                 f"months 只适用于 {_choices(MEASURES_WITH_MONTHS)}"))
    return problems


def _clauses_problems(clauses: Any) -> list[Problem]:
    if not isinstance(clauses, list):
        return [("clauses", "clauses 应为条款列表")]
    problems: list[Problem] = []
    numbers: dict[str, str] = {}  # number -> path of first use
    codes: dict[str, str] = {}  # indicator code -> path of first use
    parents: list[tuple[str, str, str]] = []  # (path, number, declared parent)
    _walk_clauses(clauses, "clauses", None, numbers, codes, parents, problems)
    for path, number, parent in parents:
        if parent not in numbers:
            problems.append((_join(path, "parent"), f"上级条款 '{parent}' 不存在"))
        elif not number.startswith(parent + "."):
            problems.append((_join(path, "parent"),
                             f"条款编号 '{number}' 应以上级条款编号 '{parent}.' 开头"))
    return problems


def _walk_clauses(clauses: list, path: str, parent: str | None, numbers: dict[str, str],
                  codes: dict[str, str], parents: list[tuple[str, str, str]],
                  problems: list[Problem]) -> None:
    for i, clause in enumerate(clauses):
        cpath = _join(path, i)
        problems += key_problems(clause, cpath, *CLAUSE_KEYS, what="条款")
        if not isinstance(clause, Mapping):
            continue
        number = None
        if clause.get("number") is not None:
            raw = clause["number"]
            number = _clause_number(raw)
            if number is None:
                hint = "（请加引号，例如 \"3.10\"，否则 YAML 会把 3.10 读成数字 3.1）" \
                    if isinstance(raw, float) else ""
                problems.append((_join(cpath, "number"), f"条款编号应为文本{hint}"))
            elif not CLAUSE_NUMBER_RE.match(number):
                problems.append((_join(cpath, "number"),
                                 (f"条款编号 '{number}' 格式不正确（应为以点分隔的数字，"
                                 "如 3、3.2、3.2.1）")))
                number = None
            elif number in numbers:
                problems.append((_join(cpath, "number"),
                                 f"条款编号 '{number}' 重复（已用于 {numbers[number]}）"))
            else:
                numbers[number] = cpath
            if number is not None and parent is not None \
                    and not number.startswith(parent + "."):
                problems.append((_join(cpath, "number"),
                                 f"下级条款编号 '{number}' 应以上级条款编号 '{parent}.' 开头"))
        problems += _text_problem(clause, "title", cpath)
        if _present(clause, "text") and not isinstance(clause["text"], str):
            problems.append((_join(cpath, "text"), "text 应为文本"))
        if _present(clause, "parent"):
            declared = _clause_number(clause["parent"])
            if declared is None:
                problems.append((_join(cpath, "parent"), "parent 应为上级条款编号（文本）"))
            elif parent is not None and declared != parent:
                problems.append((_join(cpath, "parent"),
                                 f"parent '{declared}' 与所在的上级条款 '{parent}' 不一致"))
            elif number is not None:
                parents.append((cpath, number, declared))
        if _present(clause, "indicators"):
            inds = clause["indicators"]
            if not isinstance(inds, list):
                problems.append((_join(cpath, "indicators"), "indicators 应为指标列表"))
            else:
                for j, ind in enumerate(inds):
                    problems += _indicator_problems(ind, _join(_join(cpath, "indicators"), j),
                                                    codes)
        if _present(clause, "children"):
            children = clause["children"]
            if not isinstance(children, list):
                problems.append((_join(cpath, "children"), "children 应为条款列表"))
            else:
                _walk_clauses(children, _join(cpath, "children"), number, numbers, codes,
                              parents, problems)


def _indicator_problems(ind: Any, path: str, codes: dict[str, str]) -> list[Problem]:
    problems = key_problems(ind, path, *INDICATOR_KEYS, what="指标")
    if not isinstance(ind, Mapping):
        return problems

    def at(key: str) -> str:
        return _join(path, key)

    code = ind.get("code")
    if code is not None:
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems.append((at("code"), (f"指标编码 '{code}' 格式不正确（应为大写字母、数字和"
                                         "连字符，如 VIOL-RATIO）")))
        elif code in codes:
            problems.append((at("code"), f"指标编码 '{code}' 重复（已用于 {codes[code]}）"))
        else:
            codes[code] = path
    problems += _text_problem(ind, "name", path)
    problems += _text_problem(ind, "name_en", path)
    if _present(ind, "description") and not isinstance(ind["description"], str):
        problems.append((at("description"), "description 应为文本"))

    perspective = ind.get("perspective")
    if perspective is not None and perspective not in PERSPECTIVES:
        problems.append((at("perspective"),
                         (f"未知维度 '{perspective}'{_suggest(perspective, PERSPECTIVES)}"
                         f"（应为 {_choices(PERSPECTIVES)}）")))
    unit = ind.get("unit")
    if unit is not None and (not isinstance(unit, str) or not units.normalise(unit)
                             or len(units.normalise(unit)) > units.MAX_UNIT_LENGTH):
        problems.append((at("unit"), f"单位 unit 应为 1-{units.MAX_UNIT_LENGTH} 个字的文本，"
                                     f"如 %、件、人次、元、天、是/否（当前 {unit!r}）"))
        unit = None
    boolean_unit = unit is not None and units.kind_of(unit) == "boolean"
    direction = ind.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append((at("direction"),
                         (f"未知方向 '{direction}'{_suggest(direction, DIRECTIONS)}"
                         f"（应为 {_choices(DIRECTIONS)}）")))
    for key, choices, label in (("frequency", FREQUENCIES, "频次"),
                                ("data_source", DATA_SOURCES, "数据来源")):
        if _present(ind, key) and ind[key] not in choices:
            problems.append((at(key), (f"未知{label} '{ind[key]}'{_suggest(ind[key], choices)}"
                                      f"（应为 {_choices(choices)}）")))
    if _present(ind, "evidence_required") and not isinstance(ind["evidence_required"], bool):
        problems.append((at("evidence_required"), "evidence_required 应为 true 或 false"))
    if ind.get("max_points") is not None:
        mp = ind["max_points"]
        if not _is_number(mp) or mp <= 0:
            problems.append((at("max_points"), f"满分 max_points 应为大于 0 的数字（当前 {mp!r}）"))
        elif not _two_decimals(mp):
            problems.append((at("max_points"), f"满分 max_points 最多保留两位小数（当前 {mp!r}）"))

    if direction == "boolean":
        if unit is not None and not boolean_unit:
            problems.append((at("unit"), f"布尔型指标的单位应为 是/否 或 yes/no（当前 '{unit}'）"))
        for key in ("warning", "zero", "min", "max"):
            if _present(ind, key):
                problems.append((at(key), f"布尔型指标（是/否）不设 {key}"))
        if _present(ind, "target") and not isinstance(ind["target"], bool):
            problems.append((at("target"), "布尔型指标的 target 只能为 true 或 false（可省略）"))
    elif direction in DIRECTIONS:
        if boolean_unit:
            problems.append((at("direction"), f"单位为 {unit} 的指标方向应为 boolean"))
        problems += _lines_problems(ind, direction, unit, at)
    return problems


LINE_LABELS = {"target": "目标值", "warning": "预警线", "zero": "零分线", "min": "最小值",
               "max": "最大值"}


def _lines_problems(ind: Mapping, direction: str, unit: str | None, at) -> list[Problem]:
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for key, label, required in (("target", "目标值", True), ("warning", "预警线", False),
                                 ("zero", "零分线", True), ("min", "最小值", False),
                                 ("max", "最大值", False)):
        if not _present(ind, key):
            if required:
                problems.append((at(key), f"缺少{label} {key}（{direction} 指标必填）"))
            continue
        if not _is_number(ind[key]):
            problems.append((at(key), f"{label} {key} 应为数字（当前 {ind[key]!r}）"))
            continue
        values[key] = ind[key]
    if "target" not in values:
        return problems + _range_problems(values, unit, at)
    t = values["target"]
    lower = direction == "lower_better"
    rule = "越低越好" if lower else "越高越好"
    if "warning" in values:
        w = values["warning"]
        if (lower and not w <= t) or (not lower and not w >= t):
            side = "小于或等于" if lower else "大于或等于"
            problems.append((at("warning"),
                             (f"预警线 warning（{_fmt(w)}）应{side}目标值 target（{_fmt(t)}）："
                             f"指标{rule}，预警线应在达标一侧，达标但接近目标时亮黄灯；"
                             f"等于目标值表示不设黄灯")))
    if "zero" in values:
        z = values["zero"]
        if (lower and not z > t) or (not lower and not z < t):
            side = "大于" if lower else "小于"
            problems.append((at("zero"),
                             (f"零分线 zero（{_fmt(z)}）应{side}目标值 target（{_fmt(t)}）："
                             f"指标{rule}，零分线应在未达标一侧")))
    # one message per line: a line on the wrong side is not also reported out of range
    reported = {path for path, _message in problems}
    return problems + [p for p in _range_problems(values, unit, at) if p[0] not in reported]


def _range_problems(values: Mapping[str, float], unit: str | None, at) -> list[Problem]:
    """min / max widen the unit's range (a growth rate may be negative); the lines must
    lie inside the range a measurement may take."""
    low, high = units.value_range(unit, values.get("min"), values.get("max"))
    if low is not None and high is not None and low >= high:
        return [(at("max"), f"最大值 max（{_fmt(high)}）应大于最小值 min（{_fmt(low)}）")]
    outside = [key for key in ("target", "warning", "zero")
               if key in values and not units.within(values[key], (low, high))]
    shown = f"{_fmt(low) if low is not None else '-∞'} 到 {_fmt(high) if high is not None else '∞'}"
    return [(at(key), f"{LINE_LABELS[key]} {key}（{_fmt(values[key])}）超出单位 {unit} 的取值范围"
                      f"（{shown}）；范围不同的指标请设置 min / max") for key in outside]


# --------------------------------------------------------------------------- defaults


def with_defaults(t: Mapping) -> dict:
    """A deep copy of ``t`` with absent settings filled from
    :data:`DEFAULT_TEMPLATE_SETTINGS` (``grade_bands`` and ``points`` merged key by key)
    and absent indicator options from :data:`DEFAULT_INDICATOR_SETTINGS`; optional
    indicator fields (name_en, target, warning, zero) are set to None when absent.
    Clause numbers become text. The clause structure (flat or nested) is kept."""
    out = copy.deepcopy(dict(t))
    defaults = copy.deepcopy(DEFAULT_TEMPLATE_SETTINGS)
    if out.get("version") is None:
        out["version"] = 1
    for key in ("perspective_weights", "thresholds"):
        if out.get(key) is None:
            out[key] = defaults[key]
    for key in ("grade_bands", "points"):
        given = out.get(key)
        out[key] = {**defaults[key], **(dict(given) if isinstance(given, Mapping) else {})}
    if out.get("clauses") is None:
        out["clauses"] = []
    for clause, _parent in _iter_clause_dicts(out.get("clauses")):
        number = _clause_number(clause.get("number"))
        if number is not None:
            clause["number"] = number
        if clause.get("text") is None:
            clause["text"] = ""
        if clause.get("indicators") is None:
            clause["indicators"] = []
        for ind in clause["indicators"] if isinstance(clause["indicators"], list) else []:
            if not isinstance(ind, dict):
                continue
            for key, value in DEFAULT_INDICATOR_SETTINGS.items():
                if ind.get(key) is None:
                    ind[key] = value
            for key in ("name_en", "target", "warning", "zero", "min", "max"):
                ind.setdefault(key, None)
    return out


def _iter_clause_dicts(clauses: Any, parent: str | None = None
                       ) -> Iterator[tuple[dict, str | None]]:
    if not isinstance(clauses, list):
        return
    for clause in clauses:
        if not isinstance(clause, dict):
            continue
        yield clause, parent
        yield from _iter_clause_dicts(clause.get("children"),
                                      _clause_number(clause.get("number")))


def flatten_clauses(t: Mapping) -> list[dict]:
    """All clauses of a (valid) template in document order, flat: each a copy with
    ``number`` (text), ``title``, ``text``, ``parent`` (number or None) and
    ``indicators`` (possibly empty); ``children`` are removed. In a flat list the
    parent is the longest other clause number that prefixes this one."""
    rows: list[dict] = []
    for clause, nested_parent in _iter_clause_dicts(list(t.get("clauses") or [])):
        row = {k: copy.deepcopy(v) for k, v in clause.items() if k != "children"}
        row["number"] = _clause_number(clause.get("number"))
        if row.get("text") is None:
            row["text"] = ""
        if row.get("indicators") is None:
            row["indicators"] = []
        row["parent"] = nested_parent if nested_parent is not None else (
            _clause_number(clause.get("parent")) if clause.get("parent") is not None else None)
        rows.append(row)
    numbers = {r["number"] for r in rows}
    for row in rows:
        if row["parent"] is None and row["number"]:
            parts = row["number"].split(".")
            for n in range(len(parts) - 1, 0, -1):
                candidate = ".".join(parts[:n])
                if candidate in numbers:
                    row["parent"] = candidate
                    break
    return rows


def iter_indicators(t: Mapping) -> Iterator[tuple[str, dict]]:
    """``(clause number, indicator)`` for every indicator of the template."""
    for clause in flatten_clauses(t):
        for ind in clause["indicators"]:
            yield clause["number"], ind


# --------------------------------------------------------------------------- diff

_TEMPLATE_DIFF_KEYS = ("name", "name_en", "description", "applies_to", "perspective_weights",
                       "grade_bands", "points", "thresholds")


def diff_templates(old: Mapping, new: Mapping) -> list[dict]:
    """What changed from ``old`` to ``new`` (two versions of one template).

    Returns a list of ``{kind, code_or_number, change, fields}`` where ``kind`` is
    ``'clause'`` (keyed by number), ``'indicator'`` (keyed by code) or ``'template'``
    (template-level settings, keyed by the template code, change always ``'changed'``);
    ``change`` is ``'added'``, ``'removed'`` or ``'changed'``; ``fields`` maps a field
    name to ``(old, new)`` (``None`` on the missing side for added/removed). An
    indicator's ``clause`` field is the number of the clause it measures, so a move
    shows as a change of ``clause``. Defaults are applied to both sides first, so
    leaving out a default setting is not a change. Order: template, clauses, indicators;
    within a kind the new version's order, then removals in the old order.
    """
    a, b = with_defaults(old), with_defaults(new)
    changes: list[dict] = []

    fields = {k: (a.get(k), b.get(k)) for k in _TEMPLATE_DIFF_KEYS if a.get(k) != b.get(k)}
    if fields:
        changes.append({"kind": "template", "code_or_number": b.get("code") or a.get("code"),
                        "change": "changed", "fields": fields})

    def clause_rows(t: Mapping) -> dict[str, dict]:
        return {c["number"]: {"title": c.get("title"), "text": c.get("text"),
                              "parent": c.get("parent")}
                for c in flatten_clauses(t)}

    def indicator_rows(t: Mapping) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        for number, ind in iter_indicators(t):
            row = {k: v for k, v in ind.items() if k != "code"}
            row["clause"] = number
            rows[ind.get("code")] = row
        return rows

    for kind, old_rows, new_rows in (("clause", clause_rows(a), clause_rows(b)),
                                     ("indicator", indicator_rows(a), indicator_rows(b))):
        for key, row in new_rows.items():
            if key not in old_rows:
                changes.append({"kind": kind, "code_or_number": key, "change": "added",
                                "fields": {f: (None, v) for f, v in row.items()}})
                continue
            before = old_rows[key]
            fields = {f: (before.get(f), row.get(f)) for f in (*before, *[k for k in row
                                                                          if k not in before])
                      if before.get(f) != row.get(f)}
            if fields:
                changes.append({"kind": kind, "code_or_number": key, "change": "changed",
                                "fields": fields})
        for key, row in old_rows.items():
            if key not in new_rows:
                changes.append({"kind": kind, "code_or_number": key, "change": "removed",
                                "fields": {f: (v, None) for f, v in row.items()}})
    return changes
