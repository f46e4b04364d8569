"""协议范本 as an .xlsx workbook (layout: docs/template-workbook.md).

Three sheets: 范本 (one setting per row: 字段 / 值 / 说明), 条款 (条款编号, 标题, 条款内容)
and 指标 (条款编号, 指标编码, … 需佐证). Columns are found by their header, so extra
columns are ignored and the order may change. :func:`parse_workbook` returns the spec
mapping of saas.domain.templates (validated) or raises Invalid with every problem keyed
like ``指标!H7`` and a message naming sheet, row and column; :func:`build_workbook` writes
the same layout, so export → import gives the same template.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from saas.domain import templates as rules
from saas.domain.messages import N_
from saas.errors import Invalid

TEMPLATE_SHEET, CLAUSE_SHEET, INDICATOR_SHEET = "范本", "条款", "指标"

# (key, label, note) of the rows of the 范本 sheet.
SETTING_ROWS = (
    ("code", "范本编码", "大写字母、数字和连字符，如 HOSP-2026"),
    ("name", "范本名称", ""),
    ("version", "版本", "导出时的版本号；导入时内容有变化即成为下一版本"),
    ("applies_to", "适用机构类型", "hospital, clinic, pharmacy（可多个，逗号分隔）"),
    ("perspective_weights", "维度权重", "默认 {}（合计 100）"),
    ("grade_bands", "等级分数线", "默认 {}（低于 basic 为不合格）"),
    ("points", "记分标准", "默认 {}"),
    ("thresholds", "记分处理阈值", "记分:措施[:月数]，分号分隔，默认 {}"),
)
CLAUSE_COLUMNS = (("number", "条款编号"), ("title", "标题"), ("text", "条款内容"))
INDICATOR_COLUMNS = (
    ("clause", "条款编号"), ("code", "指标编码"), ("name", "指标名称"), ("name_en", "英文名称"),
    ("perspective", "维度"), ("unit", "单位"), ("direction", "方向"), ("target", "目标值"),
    ("warning", "预警线"), ("zero", "零分线"), ("max_points", "分值"), ("frequency", "频次"),
    ("data_source", "数据来源"), ("evidence_required", "需佐证"), ("min", "最小值"),
    ("max", "最大值"),
)
NUMBER_FIELDS = ("target", "warning", "zero", "max_points", "min", "max")
OPTIONAL_COLUMNS = ("min", "max")
"""Columns a workbook made before they existed may lack."""
MAPPING_SETTINGS = ("perspective_weights", "grade_bands", "points")

# Chinese words people type instead of the codes; the export writes the codes.
PERSPECTIVE_ALIASES = {zh: key for key, zh in rules.PERSPECTIVE_LABELS_ZH.items()}
ALIASES = {
    "perspective": PERSPECTIVE_ALIASES,
    "direction": {"越低越好": "lower_better", "越高越好": "higher_better", "是/否": "boolean",
                  "是否": "boolean"},
    "frequency": {"每月": "monthly", "月": "monthly", "每季度": "quarterly", "季度": "quarterly",
                  "每年": "annual", "年": "annual"},
    "data_source": {"机构自报": "self_report", "自报": "self_report", "结算数据": "claims",
                    "问卷调查": "survey", "现场检查": "inspection"},
    "applies_to": {"医院": "hospital", "诊所": "clinic", "卫生室": "clinic",
                   "社区卫生服务中心": "clinic", "零售药店": "pharmacy", "药店": "pharmacy"},
    "perspective_weights": PERSPECTIVE_ALIASES,
    "grade_bands": {"优秀": "excellent", "合格": "pass", "基本合格": "basic"},
    "points": {"轻微": "minor", "一般": "general", "严重": "serious", "欺诈": "fraud"},
}
TRUE_WORDS = {"是", "需要", "y", "yes", "true", "1"}
FALSE_WORDS = {"否", "不需要", "n", "no", "false", "0"}
_SPLIT = re.compile(r"\s*[,，、;；]\s*")
_PAIR = re.compile(r"^\s*([^=:：]+?)\s*[=:：]\s*(.+?)\s*$")
_MISSING = re.compile(r"缺少必填字段 (\w+)")


class _Cell:
    """Where a value came from: sheet, 1-based row, column letter and header."""

    def __init__(self, sheet: str, row: int | None = None, column: int | None = None,
                 header: str = ""):
        self.sheet, self.row, self.column, self.header = sheet, row, column, header

    @property
    def key(self) -> str:
        if self.row is None:
            return self.sheet
        if self.column is None:
            return f"{self.sheet}!{self.row}"
        return f"{self.sheet}!{get_column_letter(self.column)}{self.row}"

    def message(self, text: str) -> str:
        if self.row is None:
            return N_("工作表「%(sheet)s」：%(text)s", sheet=self.sheet, text=text)
        if self.column is None:
            return N_("工作表「%(sheet)s」第 %(row)s 行：%(text)s", sheet=self.sheet,
                      row=self.row, text=text)
        return N_("工作表「%(sheet)s」第 %(row)s 行 %(column)s 列（%(header)s）：%(text)s",
                  sheet=self.sheet, row=self.row, column=get_column_letter(self.column),
                  header=self.header, text=text)


class _Problems:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, cell: _Cell, text: str) -> None:
        self.errors.setdefault(cell.key, []).append(cell.message(text))

    def raise_if_any(self) -> None:
        if self.errors:
            count = sum(len(v) for v in self.errors.values())
            first = next(iter(self.errors.values()))[0]
            raise Invalid(N_("范本工作簿有 %(count)s 处错误，例如：%(first)s", count=count,
                             first=first), self.errors)


# ------------------------------------------------------------------------------ parsing


def parse_workbook(data: bytes) -> dict:
    """The template spec of a workbook; Invalid with every problem (all or nothing)."""
    book = _open(data)
    problems = _Problems()
    cells: dict[str, _Cell] = {}  # spec path → the cell it came from
    spec = _read_settings(book, problems, cells)
    spec["clauses"] = _read_clauses(book, problems, cells)
    _read_indicators(book, spec["clauses"], problems, cells)
    problems.raise_if_any()
    for path, text in rules.validate_template(spec):
        problems.add(_cell_for(path, text, cells), text)
    problems.raise_if_any()
    return spec


def _open(data: bytes):
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise Invalid(N_("无法读取 Excel 文件，请上传 .xlsx 格式的范本工作簿"), {"file": [
            N_("无法读取 Excel 文件：%(error)s", error=exc.__class__.__name__)]}) from exc


def _sheet_rows(book, name: str, problems: _Problems):
    """(header → column index, [(row number, values)]) of a sheet; None if missing."""
    if name not in book.sheetnames:
        problems.add(_Cell(name), N_("缺少工作表「%(name)s」", name=name))
        return None
    rows = list(book[name].iter_rows(values_only=True))
    if not rows:
        return {}, []
    header = {_text(v): i for i, v in enumerate(rows[0]) if _text(v)}
    body = [(n, row) for n, row in enumerate(rows[1:], start=2)
            if any(_text(v) is not None for v in row)]
    return header, body


def _columns(header: dict, wanted: tuple, sheet: str, problems: _Problems) -> dict | None:
    found, ok = {}, True
    for field, label in wanted:
        if label not in header and field in OPTIONAL_COLUMNS:
            continue
        if label not in header:
            problems.add(_Cell(sheet, 1), N_("缺少列「%(label)s」", label=label))
            ok = False
        else:
            found[field] = (header[label], label)
    return found if ok else None


def _read_settings(book, problems: _Problems, cells: dict) -> dict:
    table = _sheet_rows(book, TEMPLATE_SHEET, problems)
    spec: dict[str, Any] = {}
    cells[""] = _Cell(TEMPLATE_SHEET)
    if table is None:
        return spec
    labels = {label: key for key, label, _ in SETTING_ROWS}
    keys = {key for key, _, _ in SETTING_ROWS}
    for number, row in table[1]:
        name = _text(row[0]) if row else None
        key = labels.get(name, name)
        cell = _Cell(TEMPLATE_SHEET, number, 2, "值")
        if key not in keys:
            problems.add(_Cell(TEMPLATE_SHEET, number, 1, "字段"),
                         N_("未知字段 '%(name)s'（应为 %(keys)s）", name=name,
                            keys=", ".join(sorted(keys))))
            continue
        cells[key] = cell
        value = _setting(key, row[1] if len(row) > 1 else None, cell, problems)
        if value is not None:
            spec[key] = value
    return spec


def _setting(key: str, raw: Any, cell: _Cell, problems: _Problems) -> Any:
    text = _text(raw)
    if text is None:
        return None
    if key == "version":
        return _integer(raw)
    if key == "applies_to":
        return [_alias(key, part) for part in _SPLIT.split(text) if part]
    if key in MAPPING_SETTINGS:
        return _mapping(key, text, cell, problems)
    if key == "thresholds":
        return _thresholds(text, cell, problems)
    return text


def _mapping(key: str, text: str, cell: _Cell, problems: _Problems) -> dict | None:
    out = {}
    for part in filter(None, _SPLIT.split(text)):
        match = _PAIR.match(part)
        if not match:
            problems.add(cell, N_("'%(part)s' 应写成 名称=数值，例如 financial=25", part=part))
            return None
        out[_alias(key, match[1])] = _number(match[2])
    return out


def _thresholds(text: str, cell: _Cell, problems: _Problems) -> list | None:
    out = []
    for part in filter(None, re.split(r"\s*[;；]\s*", text)):
        bits = [b.strip() for b in re.split(r"[:：]", part)]
        if len(bits) not in (2, 3) or not all(bits):
            problems.add(cell, N_("'%(part)s' 应写成 记分:措施 或 记分:措施:月数，"
                                  "例如 12:suspension:3", part=part))
            return None
        item = {"points": _number(bits[0]), "measure": bits[1]}
        if len(bits) == 3:
            item["months"] = _integer(bits[2])
        out.append(item)
    return out


def _read_clauses(book, problems: _Problems, cells: dict) -> list[dict]:
    table = _sheet_rows(book, CLAUSE_SHEET, problems)
    cells["clauses"] = _Cell(CLAUSE_SHEET)
    if table is None:
        return []
    columns = _columns(table[0], CLAUSE_COLUMNS, CLAUSE_SHEET, problems)
    if columns is None:
        return []
    clauses = []
    for number, row in table[1]:
        path = f"clauses[{len(clauses)}]"
        cells[path] = _Cell(CLAUSE_SHEET, number)
        clause = {}
        for field, (index, label) in columns.items():
            cells[f"{path}.{field}"] = _Cell(CLAUSE_SHEET, number, index + 1, label)
            value = _clause_number(_at(row, index)) if field == "number" else _text(
                _at(row, index))
            if value is not None:
                clause[field] = value
        clause["indicators"] = []
        clauses.append(clause)
    return clauses


def _read_indicators(book, clauses: list[dict], problems: _Problems, cells: dict) -> None:
    table = _sheet_rows(book, INDICATOR_SHEET, problems)
    if table is None:
        return
    columns = _columns(table[0], INDICATOR_COLUMNS, INDICATOR_SHEET, problems)
    if columns is None:
        return
    by_number = {c.get("number"): i for i, c in enumerate(clauses) if c.get("number")}
    for number, row in table[1]:
        index, label = columns["clause"]
        clause_number = _clause_number(_at(row, index))
        if clause_number not in by_number:
            problems.add(_Cell(INDICATOR_SHEET, number, index + 1, label),
                         N_("条款编号 '%(number)s' 不在工作表「%(sheet)s」中",
                            number=clause_number or "", sheet=CLAUSE_SHEET))
            continue
        owner = clauses[by_number[clause_number]]["indicators"]
        path = f"clauses[{by_number[clause_number]}].indicators[{len(owner)}]"
        cells[path] = _Cell(INDICATOR_SHEET, number)
        owner.append(_indicator(row, columns, number, path, problems, cells))


def _indicator(row, columns: dict, number: int, path: str, problems: _Problems,
               cells: dict) -> dict:
    indicator = {}
    for field, (index, label) in columns.items():
        if field == "clause":
            continue
        cell = _Cell(INDICATOR_SHEET, number, index + 1, label)
        cells[f"{path}.{field}"] = cell
        raw = _at(row, index)
        if _text(raw) is None:
            continue
        if field in NUMBER_FIELDS:
            indicator[field] = _number(raw)
        elif field == "evidence_required":
            indicator[field] = _boolean(raw, cell, problems)
        else:
            indicator[field] = _alias(field, _text(raw))
    if indicator.get("direction") == "boolean" and "target" in indicator:
        # A yes/no target is stored as 1.0 / 0.0 and exported as 1 / 0.
        indicator["target"] = _boolean(indicator["target"], cells[f"{path}.target"], problems)
    return indicator


def _cell_for(path: str, text: str, cells: dict) -> _Cell:
    """The cell of a domain problem: its own path, a missing field's column, or the
    nearest enclosing row / sheet."""
    missing = _MISSING.search(text)
    if missing and f"{path}.{missing[1]}" in cells:
        return cells[f"{path}.{missing[1]}"]
    probe = path
    while probe:
        if probe in cells:
            return cells[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return cells[""]


# ------------------------------------------------------------------------- cell values


def _at(row, index: int):
    return row[index] if index < len(row) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _clause_number(value: Any) -> str | None:
    # A number cell (1.2 typed into a General cell) becomes its text; the export writes
    # the column as text so that 3.10 stays 3.10.
    return _text(value)


def _number(value: Any) -> Any:
    """Numbers stay numbers; numeric text becomes a number; anything else stays as typed
    so that validation reports it (应为数字)."""
    if isinstance(value, int | float):  # bools included: validation names them
        return value
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        return str(value).strip()
    return int(number) if number.is_integer() and "." not in text else number


def _integer(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _boolean(value: Any, cell: _Cell, problems: _Problems) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    problems.add(cell, N_("应填写 是 或 否（当前 '%(value)s'）", value=value))
    return None


def _alias(field: str, value: str) -> str:
    value = value.strip()
    return ALIASES.get(field, {}).get(value, value)


# ----------------------------------------------------------------------------- building


def build_workbook(spec: dict) -> bytes:
    """The .xlsx bytes of a template spec (content() of a stored version)."""
    book = Workbook()
    _write_settings(book.active, spec)
    _write_clauses(book.create_sheet(CLAUSE_SHEET), spec)
    _write_indicators(book.create_sheet(INDICATOR_SHEET), spec)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet, labels, widths) -> None:
    sheet.append(list(labels))
    for i, width in enumerate(widths, start=1):
        sheet.cell(row=1, column=i).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


def _write_settings(sheet, spec: dict) -> None:
    sheet.title = TEMPLATE_SHEET
    _header(sheet, ("字段", "值", "说明"), (22, 70, 60))
    for key, label, note in SETTING_ROWS:
        if key in rules.DEFAULT_TEMPLATE_SETTINGS:  # the defaults, as they would be typed
            note = note.format(_setting_text(key, rules.DEFAULT_TEMPLATE_SETTINGS[key]))
        sheet.append([key, _setting_text(key, spec.get(key)), f"{label}：{note}" if note
                      else label])


def _setting_text(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "applies_to":
        return ", ".join(value)
    if key in MAPPING_SETTINGS:
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if key == "thresholds":
        return "; ".join(":".join([_fmt(t["points"]), t["measure"]]
                                  + ([_fmt(t["months"])] if t.get("months") else []))
                         for t in value)
    return value


def _write_clauses(sheet, spec: dict) -> None:
    _header(sheet, [label for _, label in CLAUSE_COLUMNS], (12, 30, 100))
    for clause in spec["clauses"]:
        sheet.append([clause["number"], clause["title"], clause.get("text") or None])
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
        sheet.cell(row=sheet.max_row, column=3).alignment = Alignment(wrap_text=True)


def _write_indicators(sheet, spec: dict) -> None:
    _header(sheet, [label for _, label in INDICATOR_COLUMNS],
            (10, 20, 28, 36, 12, 8, 16, 9, 9, 9, 8, 10, 12, 8))
    for clause in spec["clauses"]:
        for ind in clause["indicators"]:
            values = [clause["number"]] + [_indicator_value(f, ind.get(f))
                                           for f, _ in INDICATOR_COLUMNS[1:]]
            sheet.append(values)
            sheet.cell(row=sheet.max_row, column=1).number_format = "@"


def _indicator_value(field: str, value: Any) -> Any:
    if field == "evidence_required":
        return "是" if value else "否"
    if field in NUMBER_FIELDS and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
