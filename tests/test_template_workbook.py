"""协议范本 .xlsx workbook: round trip export → import, and errors that name sheet, row and
column (docs/template-workbook.md)."""

from io import BytesIO
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from saas.errors import Invalid
from saas.services import template_workbook as wb
from saas.services.templates import _normalise, comparable

SPECS = Path(__file__).resolve().parent.parent / "tenants" / "specs" / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spec_of(name="hospital-2026") -> dict:
    return yaml.safe_load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"))


def workbook_of(spec: dict) -> bytes:
    return wb.build_workbook({**comparable(spec), "version": 1})


def edited(data: bytes, edit) -> bytes:
    """The workbook after edit(book) changed it."""
    book = load_workbook(BytesIO(data))
    edit(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet, column: int, value) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[column - 1].value == value:
            return row[0].row
    raise KeyError(value)


def problems(data: bytes) -> dict:
    with pytest.raises(Invalid) as caught:
        wb.parse_workbook(data)
    return caught.value.errors


# ------------------------------------------------------------------ pure parse / build


@pytest.mark.parametrize("name", ["hospital-2026", "pharmacy-2026", "clinic-2026"])
def test_build_then_parse_gives_the_same_template(name):
    spec = spec_of(name)
    back = wb.parse_workbook(workbook_of(spec))
    assert _normalise(comparable(back)) == _normalise(comparable(spec))


def test_layout_has_the_documented_sheets_and_headers():
    book = load_workbook(BytesIO(workbook_of(spec_of())))
    assert book.sheetnames == ["范本", "条款", "指标"]
    assert [c.value for c in book["条款"][1]] == ["条款编号", "标题", "条款内容"]
    assert [c.value for c in book["指标"][1]] == [
        "条款编号", "指标编码", "指标名称", "英文名称", "维度", "单位", "方向", "目标值", "预警线",
        "零分线", "分值", "频次", "数据来源", "需佐证", "最小值", "最大值"]
    settings = {row[0].value: row[1].value for row in book["范本"].iter_rows(min_row=2)}
    assert settings["perspective_weights"] == "financial=25, patient=25, process=25, learning=25"
    assert settings["thresholds"] == ("3:interview; 6:rectification_order; 9:public_notice; "
                                      "12:suspension:3")


def test_warning_on_the_wrong_side_names_sheet_row_and_column():
    data = workbook_of(spec_of())

    def edit(book):
        sheet = book["指标"]
        row = row_of(sheet, 2, "RECT-ON-TIME")  # higher is better, target 95, warning 98
        sheet.cell(row=row, column=9, value=90)
        edit.row = row

    errors = problems(edited(data, edit))
    key = f"指标!I{edit.row}"
    assert list(errors) == [key]
    message = errors[key][0]
    assert message.startswith(f"工作表「指标」第 {edit.row} 行 I 列（预警线）：")
    assert "应大于或等于目标值" in message


def test_weights_duplicates_and_unknown_perspective_are_all_reported():
    data = workbook_of(spec_of())

    def edit(book):
        book["范本"]["B6"] = "financial=25, patient=25, process=25, learning=15"
        sheet = book["指标"]
        edit.dup = row_of(sheet, 2, "MOCK-INSPECTION")
        sheet.cell(row=edit.dup, column=2, value="TRAIN-COVERAGE")
        edit.persp = row_of(sheet, 2, "RECT-ON-TIME")
        sheet.cell(row=edit.persp, column=5, value="finance")

    errors = problems(edited(data, edit))
    assert "权重之和应为 100" in errors["范本!B6"][0]
    assert "工作表「范本」第 6 行 B 列（值）" in errors["范本!B6"][0]
    assert "重复" in errors[f"指标!B{edit.dup}"][0]
    assert "未知维度 'finance'" in errors[f"指标!E{edit.persp}"][0]


def test_missing_values_point_at_their_cell():
    data = workbook_of(spec_of())

    def edit(book):
        edit.row = row_of(book["指标"], 2, "TRAIN-COVERAGE")
        book["指标"].cell(row=edit.row, column=6).value = None  # 单位
        book["条款"]["B3"] = None  # a clause title

    errors = problems(edited(data, edit))
    assert "缺少必填字段 unit" in errors[f"指标!F{edit.row}"][0]
    assert "（单位）" in errors[f"指标!F{edit.row}"][0]
    assert "缺少必填字段 title" in errors["条款!B3"][0]


def test_cell_level_format_errors():
    data = workbook_of(spec_of())

    def edit(book):
        sheet = book["指标"]
        sheet.cell(row=2, column=1, value="9.9")
        sheet.cell(row=3, column=14, value="也许")
        sheet.cell(row=4, column=8, value="很高")
        book["范本"]["B9"] = "3 interview"

    errors = problems(edited(data, edit))
    assert "不在工作表「条款」中" in errors["指标!A2"][0]
    assert "应填写 是 或 否" in errors["指标!N3"][0]
    assert "应写成 记分:措施" in errors["范本!B9"][0]
    assert "指标!H4" not in errors  # reported after the format errors are fixed


def test_numbers_given_as_text_are_validated():
    data = workbook_of(spec_of())

    def edit(book):
        edit.row = row_of(book["指标"], 2, "RECT-ON-TIME")
        book["指标"].cell(row=edit.row, column=8, value="很高")

    errors = problems(edited(data, edit))
    assert "应为数字" in errors[f"指标!H{edit.row}"][0]


def test_missing_sheet_and_column():
    data = workbook_of(spec_of())

    def edit(book):
        del book["条款"]
        book["指标"]["I1"] = "警戒线"

    errors = problems(edited(data, edit))
    assert errors["条款"] == ["工作表「条款」：缺少工作表「条款」"]
    assert "缺少列「预警线」" in errors["指标!1"][0]


def test_not_a_workbook():
    with pytest.raises(Invalid) as caught:
        wb.parse_workbook(b"this is not a zip file")
    assert "file" in caught.value.errors


def test_chinese_names_and_extra_columns_are_accepted():
    data = workbook_of(spec_of())

    def edit(book):
        book["范本"]["A6"] = "维度权重"
        book["范本"]["B6"] = "财务=40, 患者=20, 内部流程=20, 学习与成长=20"
        book["范本"]["B5"] = "医院、零售药店"
        sheet = book["指标"]
        sheet.cell(row=1, column=15, value="备注")
        sheet.cell(row=2, column=15, value="内部说明")
        sheet.cell(row=2, column=5, value="财务")
        sheet.cell(row=2, column=12, value="每月")

    spec = wb.parse_workbook(edited(data, edit))
    assert spec["perspective_weights"] == {"financial": 40, "patient": 20, "process": 20,
                                           "learning": 20}
    assert spec["applies_to"] == ["hospital", "pharmacy"]
    first = spec["clauses"][2]["indicators"][0]
    assert first["perspective"] == "financial" and first["frequency"] == "monthly"


def test_empty_settings_take_the_domain_defaults():
    data = workbook_of(spec_of())

    def edit(book):
        for row in range(6, 10):
            book["范本"].cell(row=row, column=2).value = None

    parsed = wb.parse_workbook(edited(data, edit))
    assert "grade_bands" not in parsed and "thresholds" not in parsed
    spec = comparable(parsed)
    assert spec["grade_bands"] == {"excellent": 90, "pass": 75, "basic": 60}
    assert spec["points"] == {"minor": 2, "general": 5, "serious": 8, "fraud": 12}


# ------------------------------------------------------------------------ through the API


def template_ids(api) -> dict:
    items = api.get("/templates?page_size=200").get_json()["items"]
    return {(t["code"], t["version"]): t["id"] for t in items}


def upload(api, data: bytes, name="template.xlsx"):
    return api.post("/templates/import", data={"file": (BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_export_then_import_gives_the_same_template(api_as):
    api = api_as("a_bureau_admin")
    template_id = template_ids(api)[("HOSP-2026", 1)]
    exported = api.get(f"/templates/{template_id}/export.xlsx")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"] == XLSX
    assert "HOSP-2026-v1.xlsx" in exported.headers["Content-Disposition"]
    again = upload(api, exported.data)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == template_id
    assert set(template_ids(api)) == {("HOSP-2026", 1), ("PHARM-2026", 1)}


def test_export_imported_into_another_region_is_the_same_content(api_as):
    exported = api_as("a_bureau_admin").get(
        f"/templates/{template_ids(api_as('a_bureau_admin'))[('PHARM-2026', 1)]}/export.xlsx")
    b = api_as("b_bureau_admin")
    created = upload(b, exported.data)
    assert created.status_code == 201
    assert created.get_json()["code"] == "PHARM-2026"

    def clauses(api, template_id):
        items = api.get(f"/templates/{template_id}/clauses?page_size=200").get_json()["items"]
        return [{**c, "id": None, "indicators": [{**i, "id": None} for i in c["indicators"]]}
                for c in items]

    a = api_as("a_bureau_admin")
    assert clauses(b, created.get_json()["id"]) == clauses(
        a, template_ids(a)[("PHARM-2026", 1)])


def test_edited_workbook_becomes_the_next_version(api_as):
    api = api_as("a_bureau_admin")
    template_id = template_ids(api)[("HOSP-2026", 1)]
    data = api.get(f"/templates/{template_id}/export.xlsx").data

    def edit(book):
        book["条款"]["B2"] = "医保政策执行与培训（修订）"

    created = upload(api, edited(data, edit))
    assert created.status_code == 201 and created.get_json()["version"] == 2
    diff = api.get(f"/templates/{created.get_json()['id']}/diff").get_json()
    assert [(c["kind"], c["code_or_number"]) for c in diff["changes"]] == [("clause", "1")]


def test_broken_workbook_is_a_problem_json_and_writes_nothing(api_as):
    api = api_as("a_bureau_admin")
    template_id = template_ids(api)[("HOSP-2026", 1)]
    data = api.get(f"/templates/{template_id}/export.xlsx").data

    def edit(book):
        book["条款"]["B2"] = "会变成新版本的标题"
        edit.row = row_of(book["指标"], 2, "RECT-ON-TIME")
        book["指标"].cell(row=edit.row, column=9, value=90)

    response = upload(api, edited(data, edit))
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.get_json()
    assert f"指标!I{edit.row}" in body["errors"]
    assert f"工作表「指标」第 {edit.row} 行 I 列（预警线）" in body["detail"]
    assert set(template_ids(api)) == {("HOSP-2026", 1), ("PHARM-2026", 1)}


def test_web_export_link(api_as, web_as):
    template_id = template_ids(api_as("ah1_admin"))[("HOSP-2026", 1)]
    response = web_as("ah1_admin").get(f"/templates/{template_id}/export.xlsx")
    assert response.status_code == 200 and response.headers["Content-Type"] == XLSX
    assert wb.parse_workbook(response.data)["code"] == "HOSP-2026"
