"""整改台账 as files: the .xlsx in the layout institutions already keep (序号, 问题描述,
整改措施, 责任部门, 责任人, 整改时限, 完成情况, 销号日期, then 状态, 证据数, 整改编号,
机构), the 整改报告 PDF (saas.services.notices.render_pdf), and the import of such a
workbook: all rows or none, every problem named by row and column.

Both files are documents exchanged with the bureau, written in Chinese whatever the
reader's language, like the measures' notices. Columns are found by their header, so a
workbook may add, drop or reorder the optional ones.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from flask import render_template
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from saas.domain import rectification as rules
from saas.domain.findings import CATEGORIES
from saas.domain.messages import N_
from saas.errors import Invalid
from saas.services.notices import render_pdf
from saas.timeutil import local, today_local

SHEET = "整改台账"
#: (header, width in characters) of the export, in order
COLUMNS = (("序号", 6), ("问题描述", 40), ("整改措施", 34), ("责任部门", 12), ("责任人", 10),
           ("整改时限", 12), ("完成情况", 34), ("销号日期", 12), ("状态", 8), ("证据数", 7),
           ("整改编号", 18), ("机构", 24))
REQUIRED = ("问题描述",)
HEADER_ROW = 2  # row 1 is the title
MAX_ROWS = rules.IMPORT_MAX_ROWS


def workbook(items, title: str) -> bytes:
    """The ledger's rows as an .xlsx: a title, a frozen header, real widths, dates as
    dates."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for column, (header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    wrap = Alignment(wrap_text=True, vertical="top")
    for serial, item in enumerate(items, start=1):
        row = HEADER_ROW + serial
        for column, value in enumerate(_values(serial, item), start=1):
            cell = sheet.cell(row, column, value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _values(serial: int, item) -> list:
    category = CATEGORIES[item.category].label_zh if item.category in CATEGORIES else item.category
    closed = local(item.closed_at).date() if item.closed_at else None
    return [serial, f"{category}：{item.description}", item.measures_to_take or "",
            item.department or "", item.owner.name if item.owner else "", item.due_date,
            item.statement or "", closed, _status(item), len(item.evidence), item.number,
            item.institution.name]


def _status(item) -> str:
    word = rules.STATE_LABELS_ZH[item.status]
    if rules.is_overdue(item.status, item.due_date, today_local()):
        return f"{word}（逾期）"
    return word


def report_pdf(items, title: str, scope: str, filters: list[str],
               one_institution: bool = False) -> bytes:
    """整改报告: the counts by state and overdue, then every item, in Chinese."""
    today = today_local()
    counts = {s: sum(1 for i in items if i.status == s) for s in rules.STATES}
    overdue = sum(1 for i in items if rules.is_overdue(i.status, i.due_date, today))
    html = render_template("notices/rectification_report.html", items=items, title=title,
                           scope=scope, filters=filters, counts=counts, overdue=overdue,
                           today=today, labels=rules.STATE_LABELS_ZH, status_of=_status,
                           categories=CATEGORIES, local=local,
                           scope_is_institution=one_institution)
    return render_pdf(html)


# ----------------------------------------------------------------------------- import
@dataclass
class ImportedRow:
    """One row of an imported ledger: a new item, or (with its 整改编号) an update."""

    row: int
    description: str
    measures_to_take: str | None
    department: str | None
    owner_name: str | None
    due_date: date | None
    statement: str | None
    number: str | None
    cells: dict  # column name → its cell ("整改台账!E7"), to name a problem found later


def problem_at(errors: dict, cell: str, row: int, column: str, message) -> None:
    """Record ``message`` about one cell, keyed and worded by sheet, row and column."""
    errors.setdefault(cell, []).append(N_("第 %(row)s 行「%(column)s」：%(text)s",
                                          row=row, column=column, text=message))


def read_workbook(data: bytes) -> tuple[list[ImportedRow], int, dict]:
    """(rows to import, rows skipped because already closed, problems keyed
    ``整改台账!C7``) of a ledger workbook; Invalid when it cannot be read at all. The
    import adds its own problems and saves nothing while there are any."""
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise Invalid(N_("无法读取该文件，请上传 .xlsx 格式的整改台账"),
                      {"file": [N_("无法读取该文件，请上传 .xlsx 格式的整改台账")]}) from None
    rows = list(sheet.iter_rows(values_only=True))
    header_at, columns = _find_header(rows)
    errors: dict[str, list] = {}
    found, skipped = [], 0
    for index, values in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = {name: values[c] if c < len(values) else None for name, c in columns.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        if cells.get("销号日期") not in (None, ""):
            skipped += 1  # closed in the institution's own file: nothing left to track
            continue
        parsed = _row(index, cells, columns, errors)
        if parsed is not None:
            found.append(parsed)
    if len(found) > MAX_ROWS:
        errors["file"] = [N_("一次最多导入 %(n)s 行", n=MAX_ROWS)]
    return found, skipped, errors


def _find_header(rows) -> tuple[int, dict[str, int]]:
    for at, values in enumerate(rows[:10]):
        names = [str(v).strip() if v is not None else "" for v in values]
        if "问题描述" in names:
            return at, {name: names.index(name) for name, _w in COLUMNS if name in names}
    raise Invalid(N_("未找到表头：第一个工作表中需要有「问题描述」等列"),
                  {"file": [N_("未找到表头：第一个工作表中需要有「问题描述」等列")]})


def _row(index: int, cells: dict, columns: dict, errors: dict) -> ImportedRow | None:
    cells_of = {name: f"{SHEET}!{get_column_letter(c + 1)}{index}" for name, c in columns.items()}

    def problem(name: str, message) -> None:
        problem_at(errors, cells_of[name], index, name, message)

    def text(name: str, limit: int = rules.MAX_TEXT) -> str | None:
        value = cells.get(name)
        value = "" if value is None else str(value).strip()
        if len(value) > limit:
            problem(name, N_("不能超过 %(n)s 个字", n=limit))
        return value or None

    description = text("问题描述")
    if description is None:
        problem("问题描述", N_("此项为必填项"))
    due = cells.get("整改时限")
    if isinstance(due, datetime):
        due = due.date()
    elif isinstance(due, str) and due.strip():
        try:
            due = date.fromisoformat(due.strip().replace("/", "-"))
        except ValueError:
            problem("整改时限", N_("日期格式应为 YYYY-MM-DD"))
            due = None
    elif due not in (None, "") and not isinstance(due, date):
        problem("整改时限", N_("日期格式应为 YYYY-MM-DD"))
        due = None
    row = ImportedRow(index, description or "", text("整改措施"),
                      text("责任部门", rules.MAX_DEPARTMENT), text("责任人", 100), due or None,
                      text("完成情况"), text("整改编号", 40), cells_of)
    return row if description else None
