"""`pact tenants provision`: idempotent, every problem named with its line, nothing half-written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import FIXTURES, acting
from saas.extensions import db
from saas.models import AuditEntry, Institution, Region, User
from saas.services.provisioning import provision_file
from tenants.spec import SpecError


def _counts(app):
    with app.app_context():
        return {m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar()
                for m in (Region, User, AuditEntry)}


def test_running_twice_changes_nothing(app):
    before = _counts(app)
    with app.app_context():
        report = provision_file(FIXTURES / "region_a.yaml")
    assert report.created == {} and report.updated == {}
    assert _counts(app) == before


def test_changed_spec_updates_in_place(app, tmp_path):
    spec = (FIXTURES / "region_a.yaml").read_text().replace("甲区第二医院", "甲区第二人民医院")
    path = FIXTURES.parent / "fixtures" / f"_tmp_{os.getpid()}.yaml"
    path.write_text(spec)
    try:
        with app.app_context():
            report = provision_file(path)
    finally:
        path.unlink()
    assert report.updated == {"institutions": 1}
    with acting(app, "a_bureau_admin"):
        names = set(db.session.execute(select(Institution.name)).scalars())
    assert "甲区第二人民医院" in names


def test_bad_spec_names_lines_and_writes_nothing(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'region: {code: "330199", name: 坏区}\n'
        "users:\n"
        "  - {email: x@bad.example, name: 某, role: bureau_boss, password: 'Aa1-aaaaaa'}\n"
        "institutions:\n"
        "  - {code: Z1, name: 某医院, kind: hopsital}\n")
    before = _counts(app)
    with app.app_context(), pytest.raises(SpecError) as info:
        provision_file(bad)
    messages = [str(p) for p in info.value.errors]
    assert any(m.startswith("bad.yaml:3:") and "role" in m for m in messages), messages
    assert any(m.startswith("bad.yaml:5:") and "kind" in m for m in messages), messages
    assert _counts(app) == before


def _pact(args, instance, **env):
    environment = {**os.environ, "PACT_INSTANCE": str(instance), **env}
    for var in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "STORAGE_URL"):
        environment.pop(var, None)
    return subprocess.run([sys.executable, "-m", "saas.cli", *args], capture_output=True,
                          text=True, env=environment, timeout=300)


def test_cli_demo_token_and_audit(tmp_path):
    demo = _pact(["demo", "--no-serve"], tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "zhou.jianhua@xhyb.example" in demo.stdout
    assert "Pact-demo-2026" in demo.stdout
    assert "assessments of demo history" in demo.stdout
    again = _pact(["demo", "--no-serve"], tmp_path)
    assert "created nothing; updated nothing; 0 assessments" in again.stdout
    token = _pact(["users", "token", "liu.fang@xhzxyy.example"], tmp_path)
    assert token.returncode == 0 and token.stdout.strip().startswith("pact_")
    verify = _pact(["audit", "verify"], tmp_path)
    assert verify.returncode == 0 and "chain intact" in verify.stdout


def test_cli_bad_spec_exits_2_with_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('region: {code: "12", name: x}\n')
    result = _pact(["tenants", "provision", str(bad)], tmp_path)
    assert result.returncode == 2
    assert "bad.yaml:1:" in result.stderr
    missing = _pact(["tenants", "provision", str(tmp_path / "nope.yaml")], tmp_path)
    assert missing.returncode == 2


def test_demo_spec_is_believable():
    from tenants.spec import load_spec

    spec = load_spec(Path(__file__).parent.parent / "tenants" / "specs" / "demo.yaml")
    kinds = [i["kind"] for i in spec["institutions"]]
    assert kinds.count("hospital") >= 3 and kinds.count("clinic") >= 2
    assert kinds.count("pharmacy") >= 2
    levels = {i["level"] for i in spec["institutions"] if i["kind"] == "hospital"}
    assert len(levels) >= 3
    roles = {u["role"] for u in spec["users"]} | {
        u["role"] for i in spec["institutions"] for u in i["users"]}
    assert roles == {"bureau_admin", "bureau_inspector", "institution_admin",
                     "institution_staff", "mock_inspector"}
    assert all(i["agreement"] for i in spec["institutions"])


def test_demo_history_is_scored_and_finalized(app):
    import datetime as dt

    from saas.models import Assessment
    from saas.tools import demo_data

    with app.app_context():
        created = demo_data.seed(dt.date(2026, 4, 15))
        assert created == 3 * 3 + 1  # three months for three institutions, one inspection
        assert demo_data.seed(dt.date(2026, 4, 15)) == 0
    with acting(app, "a_bureau_admin"):
        rows = db.session.execute(select(Assessment)).scalars().all()
    assert {a.status for a in rows if a.kind == "self"} == {"finalized"}
    assert all(a.total is not None and a.grade for a in rows if a.kind == "self")
