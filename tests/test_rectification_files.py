"""The ledger as files: the .xlsx read back with openpyxl, the 整改报告 PDF's Chinese text
extracted back, a large export as a job with its progress, the import (all rows or none,
errors by cell), and an item's evidence through moto's S3 server: encrypted, its version
kept, its SHA-256 checked again on download."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from test_evidence import moto_endpoint, s3_app  # noqa: F401 (fixtures)
from test_rectification_steps import PDF, _bureau_item, _upload, _user_id

from conftest import USERS, acting, user_by_email
from saas.extensions import db
from saas.models import Institution, RectificationItem

XLSX_HEADER = ["序号", "问题描述", "整改措施", "责任部门", "责任人", "整改时限", "完成情况",
               "销号日期", "状态", "证据数", "整改编号", "机构"]


def _closed_and_open(app, api_as):
    """Two items of AH1: one closed with proof, one open and assigned."""
    closed, still_open = _bureau_item(app, api_as), _bureau_item(app, api_as, period="2026-06")
    staff = api_as("ah1_staff")
    staff.post(f"/rectifications/{closed['id']}/submit",
               json={"statement": "已完善审核", "evidence_ids": [_upload(staff)]})
    api_as("a_bureau_inspector").post(f"/rectifications/{closed['id']}/verify", json={})
    api_as("ah1_admin").patch(f"/rectifications/{still_open['id']}", json={
        "department": "医务科", "owner_id": _user_id(app, "ah1_staff"),
        "measures_to_take": "每周抽查病历"})
    return closed, still_open


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def test_the_xlsx_in_the_familiar_layout(app, api_as):
    closed, still_open = _closed_and_open(app, api_as)
    response = api_as("ah1_admin").get("/rectifications/export.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = _sheet(response)
    assert "医保问题整改台账" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == XLSX_HEADER
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["B"].width == 40
    rows = {r[10]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    done, pending = rows[closed["number"]], rows[still_open["number"]]
    assert done[1].startswith("分解住院：") and done[6] == "已完善审核"
    assert isinstance(done[7], type(done[5])) and done[8] == "已销号" and done[9] == 1
    assert sheet.cell(3, 6).is_date and sheet.cell(3, 6).number_format == "yyyy-mm-dd"
    with app.app_context():
        staff_name = user_by_email(USERS["ah1_staff"]).name
    assert pending[2:5] == ("每周抽查病历", "医务科", staff_name)
    assert pending[5].date() == date.fromisoformat(still_open["due_date"])
    assert pending[7] is None and pending[8] == "待整改"
    # the filters apply
    only = _sheet(api_as("ah1_admin").get("/rectifications/export.xlsx?status=closed"))
    assert [r[10] for r in only.iter_rows(min_row=3, values_only=True)] == [closed["number"]]


def test_the_regions_export_names_institutions_and_hides_mock_items(app, api_as):
    _closed_and_open(app, api_as)
    from assessment_helpers import create

    rehearsal = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    finding = api_as("ah1_mock").post("/findings", json={
        "assessment_id": rehearsal["id"], "category": "split_admission", "severity": "minor",
        "description": "模拟检查私有问题"}).get_json()["id"]
    api_as("ah1_admin").post(f"/findings/{finding}/confirm", json={})
    sheet = _sheet(api_as("a_bureau_admin").get("/rectifications/export.xlsx"))
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    with acting(app, "ah1_admin") as user:
        name = db.session.get(Institution, user.institution_id).name
    assert len(rows) == 2 and {r[11] for r in rows} == {name}
    assert all("模拟检查私有问题" not in (r[1] or "") for r in rows)
    assert "定点医药机构整改台账" in sheet["A1"].value
    assert _sheet(api_as("b_bureau_admin").get("/rectifications/export.xlsx")).max_row == 2


def test_the_report_pdf_reads_back_in_chinese(app, api_as):
    from pypdf import PdfReader

    closed, still_open = _closed_and_open(app, api_as)
    response = api_as("ah1_admin").get("/rectifications/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("整改台账", "整改报告", closed["number"], still_open["number"], "已销号",
                     "分解住院", "每周抽查病历", "医务科"):
        assert expected in words, expected


def test_a_large_export_runs_as_a_job_with_its_progress(app, api_as):
    _closed_and_open(app, api_as)
    app.config["EXPORT_INLINE_ROWS"] = 1
    admin = api_as("ah1_admin")
    response = admin.get("/rectifications/export.xlsx")
    assert response.status_code == 202, response.get_data(as_text=True)
    job = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/exports/{job['id']}")
    state = admin.get(f"/exports/{job['id']}").get_json()  # inline: already built
    assert (state["status"], state["done_rows"], state["total_rows"]) == ("done", 2, 2)
    sheet = _sheet(admin.get(f"/exports/{job['id']}/file"))
    assert sheet.max_row == 4
    assert api_as("ah1_staff").get(f"/exports/{job['id']}").status_code == 404
    assert api_as("a_bureau_admin").get(f"/exports/{job['id']}/file").status_code == 404


def test_a_large_export_through_redis_and_a_worker(app, api_as):
    from rq import Queue, SimpleWorker
    from test_jobs import REDIS_URL, _redis

    _closed_and_open(app, api_as)
    conn = _redis()
    queue = Queue("default", connection=conn)
    queue.empty()
    app.config.update(EXPORT_INLINE_ROWS=1, REDIS_URL=REDIS_URL)
    admin = api_as("ah1_admin")
    job = admin.get("/rectifications/export.pdf").get_json()
    assert admin.get(f"/exports/{job['id']}").get_json()["status"] == "queued"
    assert admin.get(f"/exports/{job['id']}/file").status_code == 409
    with app.app_context():
        SimpleWorker([queue], connection=conn).work(burst=True)
    state = admin.get(f"/exports/{job['id']}").get_json()
    assert state["status"] == "done" and state["done_rows"] == 2
    assert admin.get(f"/exports/{job['id']}/file").data.startswith(b"%PDF")


def _workbook(rows, header=XLSX_HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(["某医院医保问题整改台账"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(api, data, source="internal_audit"):
    return api.post("/rectifications/import", data={
        "file": (io.BytesIO(data), "台账.xlsx"), "source": source},
        content_type="multipart/form-data")


def _count(app):
    with acting(app, "ah1_admin"):
        return db.session.scalar(select(func.count()).select_from(RectificationItem))


def test_import_round_trip_updates_and_adds(app, api_as):
    _closed, still_open = _closed_and_open(app, api_as)
    admin = api_as("ah1_admin")
    book = load_workbook(io.BytesIO(admin.get("/rectifications/export.xlsx").data))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=3):
        if row[10].value == still_open["number"]:
            row[3].value = "财务科"
    sheet.append([None, "内审：重复收取诊查费", "退费并培训", "门诊部", None,
                  date(2027, 1, 15), None, None, None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    response = _import(admin, out.getvalue())
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"opened": 1, "updated": 1, "skipped": 1}
    assert admin.get(f"/rectifications/{still_open['id']}").get_json()["department"] == "财务科"
    (added,) = admin.get("/rectifications?source=internal_audit").get_json()["items"]
    assert (added["description"], added["due_date"], added["department"]) == (
        "内审：重复收取诊查费", "2027-01-15", "门诊部")
    assert added["number"].endswith("-qt-001")


def test_a_bad_row_imports_nothing_and_names_its_cell(app, api_as):
    admin = api_as("ah1_admin")
    before = _count(app)
    data = _workbook([
        [1, "好的一行", "措施", "医务科", None, date(2027, 1, 15)],
        [2, None, "缺少问题描述", "医务科"],
        [3, "日期错了", None, None, None, "下个月"],
        [4, "责任人不存在", None, None, "查无此人"],
        [5, "编号不存在", None, None, None, None, None, None, None, None, "2026-qt-999"],
    ])
    response = _import(admin, data)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "整改台账!B4" in errors and "整改台账!F5" in errors
    assert any("查无此人" in m for ms in errors.values() for m in ms)
    assert any("2026-qt-999" in m for ms in errors.values() for m in ms)
    assert _count(app) == before


@pytest.mark.parametrize("data", [b"not a workbook", _workbook([["x"]], header=["甲", "乙"])])
def test_an_unreadable_or_headerless_file_is_refused(app, api_as, data):
    response = _import(api_as("ah1_admin"), data)
    assert response.status_code == 422 and "file" in response.get_json()["errors"]


def test_the_bureau_cannot_import(app, api_as):
    assert _import(api_as("a_bureau_admin"), _workbook([[1, "x"]])).status_code == 403


def test_item_evidence_in_s3_encrypted_versioned_and_checked(s3_app, api_as, moto_endpoint):  # noqa: F811
    import boto3
    import requests

    app, bucket = s3_app
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    item = _bureau_item(app, api_as)
    staff = api_as("ah1_staff")
    proof = _upload(staff, PDF + b"%s3", "整改照片.pdf")
    staff.post(f"/rectifications/{item['id']}/submit",
               json={"statement": "已整改", "evidence_ids": [proof]})
    (obj,) = s3.list_objects_v2(Bucket=bucket)["Contents"]
    head = s3.head_object(Bucket=bucket, Key=obj["Key"])
    assert head["ServerSideEncryption"] == "AES256"
    # the object is overwritten later: the evidence still names the bytes it was given
    s3.put_object(Bucket=bucket, Key=obj["Key"], Body=b"%PDF-1.4 replaced")
    link = staff.get(f"/evidence/{proof}")
    assert link.status_code == 302
    assert requests.get(link.headers["Location"], timeout=10).content == PDF + b"%s3"
    # the version it names is gone and another object is there: the checksum refuses it
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    original = [v for v in versions if not v["IsLatest"]][0]["VersionId"]
    s3.delete_object(Bucket=bucket, Key=obj["Key"], VersionId=original)
    with acting(app, "ah1_staff"):
        from saas.models import Evidence

        row = db.session.get(Evidence, proof)
        row.storage_version = None
        db.session.commit()
    refused = staff.get(f"/evidence/{proof}")
    assert refused.status_code == 409
    assert "SHA-256" in refused.get_json()["detail"]


def test_local_evidence_is_checked_again_on_download(app, api_as):
    from pathlib import Path
    from urllib.parse import urlparse

    item = _bureau_item(app, api_as)
    staff = api_as("ah1_staff")
    data = PDF + b"%local-" + app.config["BACKEND"].encode()  # the folder is shared
    proof = _upload(staff, data, "整改.pdf")
    staff.post(f"/rectifications/{item['id']}/submit",
               json={"statement": "已整改", "evidence_ids": [proof]})
    assert staff.get(f"/evidence/{proof}").data == data
    with acting(app, "ah1_staff"):
        from saas.models import Evidence

        key = db.session.get(Evidence, proof).storage_key
    (Path(urlparse(app.config["STORAGE_URL"]).path) / key).write_bytes(b"%PDF tampered")
    assert staff.get(f"/evidence/{proof}").status_code == 409
