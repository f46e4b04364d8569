"""Evidence files: type checked by content, size limit, SHA-256, tenant scoping; kept in
the local folder by default and in S3 (moto's server over HTTP, real boto3 calls)."""

import hashlib
import io
import socket
import zipfile

import pytest

from conftest import acting

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _xlsx_bytes():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _post(api, data, name, content_type=None, **form):
    file = (io.BytesIO(data), name, content_type) if content_type else (io.BytesIO(data), name)
    return api.post("/evidence", data={"file": file, **form},
                    content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (PDF, "协议.pdf", "application/pdf"),
    (PNG, "photo.png", "image/png"),
    (JPEG, "现场.jpg", "image/jpeg"),
    (b"a,b\n1,2\n", "data.csv", "text/csv"),
    ("名称,数值\n".encode("gbk"), "gbk.csv", "text/csv"),
])
def test_upload_and_download_local(app, api_as, data, name, media_type):
    api = api_as("ah1_admin")
    response = _post(api, data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["size"], body["content_type"], body["filename"]) == (len(data), media_type,
                                                                     name)
    download = api.get(f"/evidence/{body['id']}")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == media_type


def test_xlsx_is_recognised_by_its_zip_content(app, api_as):
    response = _post(api_as("ah1_admin"), _xlsx_bytes(), "台账.xlsx")
    assert response.get_json()["content_type"].endswith("spreadsheetml.sheet")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.exe", "MZ")
    assert _post(api_as("ah1_admin"), archive.getvalue(), "fake.xlsx").status_code == 422


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (b"MZ\x90\x00 an executable", "report.pdf", "application/pdf"),   # the name lies
    (b"<html><script>alert(1)</script>", "page.png", "image/png"),
    (b"GIF89a....", "anim.gif", "image/gif"),                        # not whitelisted
    (b"plain text", "notes.txt", "text/plain"),                        # text only as .csv
    (PNG, "photo.png", "application/pdf"),                            # header contradicts
    (b"", "empty.pdf", None),
])
def test_type_is_checked_by_content(app, api_as, data, name, content_type):
    response = _post(api_as("ah1_admin"), data, name, content_type)
    assert response.status_code == 422, response.get_json()
    assert "file" in response.get_json()["errors"]


def test_size_limit(app, api_as):
    app.config["EVIDENCE_MAX_MB"] = 1
    api = api_as("ah1_admin")
    too_big = PDF + b"0" * (1024 * 1024)
    response = _post(api, too_big, "big.pdf")
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert _post(api, PDF + b"0" * 1000, "ok.pdf").status_code == 201


def test_same_content_same_key_and_tenant_scoping(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Evidence

    api = api_as("ah1_admin")
    first = _post(api, PDF, "a.pdf").get_json()
    second = _post(api, PDF, "b.pdf").get_json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    with acting(app, "ah1_admin"):
        keys = db.session.execute(select(Evidence.storage_key)).scalars().all()
    assert len(set(keys)) == 1 and keys[0].endswith(first["sha256"])
    assert keys[0].startswith("evidence/")
    for who in ("ah2_admin", "b_bureau_admin", "bh1_admin"):
        assert api_as(who).get(f"/evidence/{first['id']}").status_code == 404
    assert api_as("a_bureau_admin").get(f"/evidence/{first['id']}").status_code == 200


def test_bureau_uploads_name_an_institution_of_their_region(app, api_as):
    with acting(app, "ah1_admin") as user:
        ah1 = user.institution_id
    with acting(app, "bh1_admin") as user:
        bh1 = user.institution_id
    bureau = api_as("a_bureau_inspector")
    missing = _post(bureau, PDF, "a.pdf")
    assert missing.status_code == 422 and "institution_id" in missing.get_json()["errors"]
    assert _post(bureau, PDF, "a.pdf", institution_id=str(ah1)).status_code == 201
    assert _post(bureau, PDF, "a.pdf", institution_id=str(bh1)).status_code == 404
    # An institution cannot upload into another institution.
    assert _post(api_as("ah2_admin"), PDF, "a.pdf", institution_id=str(ah1)).status_code == 404


def test_upload_is_audited(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry

    body = _post(api_as("ah1_staff"), PDF, "a.pdf").get_json()
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "evidence.uploaded")).scalar_one()
    assert entry.after["sha256"] == body["sha256"] and entry.object_id == str(body["id"])


def test_anonymous_upload_is_refused(client):
    response = client.post("/api/v1/evidence", data={"file": (io.BytesIO(PDF), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 401


# --------------------------------------------------------------------------- S3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_app(app, moto_endpoint, monkeypatch):
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = f"pact-{app.config['BACKEND']}-{_free_port()}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=bucket)
    app.config.update(STORAGE_URL=f"s3://{bucket}/evidence-test", S3_ENDPOINT_URL=moto_endpoint)
    return app, bucket


def test_s3_upload_presigned_download(s3_app, api_as, moto_endpoint):
    import boto3
    import requests

    _, bucket = s3_app
    api = api_as("ah1_admin")
    body = _post(api, PDF, "检查记录.pdf").get_json()
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert len(listed) == 1
    key = listed[0]["Key"]
    assert key.startswith("evidence-test/evidence/") and key.endswith(body["sha256"])
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PDF
    response = api.get(f"/evidence/{body['id']}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(moto_endpoint) and "Expires=" in location
    assert requests.get(location, timeout=10).content == PDF
    assert api_as("ah2_admin").get(f"/evidence/{body['id']}").status_code == 404


def test_s3_evidence_attached_to_a_measurement(s3_app, api_as):
    from assessment_helpers import create, put

    app, _ = s3_app
    api = api_as("ah1_admin")
    evidence_id = _post(api, PNG, "截图.png").get_json()["id"]
    draft = create(api, app)
    put(api, draft["id"], [{"indicator_code": "RX-REVIEW", "value": 100,
                            "evidence_ids": [evidence_id]}])
    assert api.post(f"/assessments/{draft['id']}/submit", json={}).status_code == 200
