"""Measurement workbooks: the downloadable template (.xlsx / .csv, prefilled with the
period's indicators) and reading an uploaded one back into rows labelled by their row
number in the sheet ("row 7"), so errors point at what the user sees in Excel."""

from __future__ import annotations

import csv
import io
import zipfile

from saas.domain.filetypes import XLSX, decode_text
from saas.domain.measurements import HEADERS, map_headers
from saas.domain.messages import N_, message_of
from saas.domain.templates import PERSPECTIVE_LABELS_ZH

# The columns read back on import are named as saas.domain.measurements.HEADERS says.
COLUMNS = (HEADERS["indicator_code"][0], "指标名称", "所属视角", "单位", "方向", "目标值",
           "预警线", "零分线", HEADERS["value"][0], HEADERS["not_applicable"][0],
           HEADERS["note"][0])
DIRECTION_ZH = {"lower_better": "越低越好 ≤", "higher_better": "越高越好 ≥", "boolean": "是/否"}
HEADER_SCAN_ROWS = 5


class FileError(ValueError):
    """The file as a whole cannot be read (Chinese message)."""


def _cell_value(row: dict):
    if row["not_applicable"]:
        return None
    value = row["value"]
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def template_rows(indicators: list[dict]) -> list[list]:
    """One line per due indicator (scorecard rows), current values prefilled."""
    return [[r["code"], r["name"], PERSPECTIVE_LABELS_ZH.get(r["perspective"], r["perspective"]),
             r["unit"], DIRECTION_ZH.get(r["direction"], r["direction"]), r["target"],
             r["warning"], r["zero"], _cell_value(r), "是" if r["not_applicable"] else "",
             r["note"] or ""] for r in indicators]


def template_xlsx(title: str, indicators: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "指标数据"
    sheet.append(list(COLUMNS))
    for row in template_rows(indicators):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet["I"][1:]:  # the column to fill in
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
    for column, width in zip("ABCDEFGHIJK", (22, 30, 12, 8, 14, 9, 9, 9, 10, 8, 30),
                             strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    for line in (title, "在“数值”列填写本期数值；是/否类指标填“是”或“否”。",
                 "不适用的指标在“不适用”列填“是”。留空表示无数据。",
                 "请勿修改“指标编码”列。任何一行有错误时，整个文件都不会导入。"):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(indicators: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(template_rows(indicators))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _xlsx_lines(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(N_("无法读取该 Excel 文件")) from exc
    sheet = book["指标数据"] if "指标数据" in book.sheetnames else book.worksheets[0]
    lines = [(n, list(values)) for n, values in
             enumerate(sheet.iter_rows(values_only=True), start=1)]
    book.close()
    return lines


def _csv_lines(data: bytes) -> list[tuple[int, list]]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileError(N_("CSV 文件编码无法识别（请使用 UTF-8 或 GBK）")) from exc
    if "\x00" in text:
        raise FileError(N_("CSV 文件内容无效"))
    return list(enumerate(csv.reader(io.StringIO(text)), start=1))


def _header(lines: list[tuple[int, list]]) -> tuple[int, dict[str, int]]:
    error = None
    for number, cells in lines[:HEADER_SCAN_ROWS]:
        try:
            return number, map_headers(cells)
        except ValueError as exc:
            error = error or exc
    raise FileError(message_of(error) if error else N_("文件是空的"))


def read_rows(filename: str, data: bytes, media_type: str | None) -> list[tuple[str, dict]]:
    """``[("row 7", {indicator_code, value, not_applicable, note}), …]`` from the first
    sheet (or the sheet 指标数据); blank lines are skipped."""
    if media_type == XLSX:
        lines = _xlsx_lines(data)
    elif media_type == "text/csv":
        lines = _csv_lines(data)
    else:
        raise FileError(N_("只接受 .xlsx 或 .csv 文件"))
    header_row, columns = _header(lines)
    rows = []
    for number, cells in lines:
        if number <= header_row or all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append((f"row {number}", {
            key: (cells[index] if index < len(cells) else None)
            for key, index in columns.items()
        }))
    return rows
