"""Tenant isolation, layers 2 and 3: the ORM filter, and PostgreSQL RLS on its own."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from conftest import acting
from saas.extensions import db
from saas.models import Agreement, Institution, Template, tenant_models
from tenants.context import TenantContext, acting_as
from tenants.isolation import TenantViolation, orm_filter_disabled


def _codes(model, column):
    return set(db.session.execute(select(column)).scalars())


def test_institution_user_sees_only_itself(app):
    with acting(app, "ah1_admin"):
        assert _codes(Institution, Institution.code) == {"AH1"}
        assert {a.number for a in db.session.execute(select(Agreement)).scalars()} == {
            "A-2026-001"}


def test_bureau_user_sees_its_region_only(app):
    with acting(app, "a_bureau_admin"):
        assert _codes(Institution, Institution.code) == {"AH1", "AH2", "AP1"}
    with acting(app, "b_bureau_admin"):
        assert _codes(Institution, Institution.code) == {"BH1"}


def test_no_context_sees_nothing(app):
    with app.app_context():
        assert db.session.execute(select(Institution)).scalars().all() == []
        assert db.session.execute(select(Template)).scalars().all() == []


def test_joined_and_related_loads_are_filtered(app):
    with acting(app, "ah1_admin"):
        rows = db.session.execute(
            select(Agreement.number, Institution.code).join(
                Institution, Institution.id == Agreement.institution_id)).all()
        assert rows == [("A-2026-001", "AH1")]


def test_insert_for_another_tenant_is_refused_by_the_orm(app):
    with acting(app, "a_bureau_admin"):
        other = db.session.execute(
            select(Agreement).where(Agreement.number == "A-2026-002")).scalar_one()
        fields = {"institution_id": other.institution_id, "region_id": other.region_id,
                  "template_id": other.template_id, "start": other.start, "end": other.end}
    with acting(app, "ah1_admin"):
        db.session.add(Agreement(number="X-1", **fields))
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()
    with acting(app, "b_bureau_admin"):
        db.session.add(Agreement(number="X-2", **fields))
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()


def _region_ids(app):
    with app.app_context():
        with orm_filter_disabled():
            rows = db.session.execute(sa.text("select code, id from regions")).all()
        return dict(rows)


@pytest.fixture
def postgres_only(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")


def test_rls_alone_returns_no_foreign_rows(app, postgres_only):
    """Layer 2 off: the database itself still hides region B from region A."""
    regions = _region_ids(app)
    with app.app_context(), orm_filter_disabled():
        with acting_as(TenantContext(region_id=regions["330106"])):
            codes = set(db.session.execute(select(Institution.code)).scalars())
            numbers = set(db.session.execute(select(Agreement.number)).scalars())
            raw = db.session.execute(sa.text("select count(*) from institutions")).scalar()
        db.session.rollback()
        with acting_as(None):
            nothing = db.session.execute(sa.text("select count(*) from agreements")).scalar()
        db.session.rollback()
    assert codes == {"AH1", "AH2", "AP1"}
    assert numbers == {"A-2026-001", "A-2026-002", "A-2026-003"}
    assert raw == 3
    assert nothing == 0  # no context: fail closed


def test_rls_alone_scopes_an_institution(app, postgres_only):
    regions = _region_ids(app)
    with app.app_context(), orm_filter_disabled():
        ah1 = db.session.execute(sa.text(
            "select id from institutions where code='AH1'")).scalar()  # no context → none
        assert ah1 is None
    with acting(app, "ah1_admin") as user, orm_filter_disabled():
        db.session.rollback()
        codes = set(db.session.execute(sa.text("select code from institutions")).scalars())
        numbers = set(db.session.execute(sa.text("select number from agreements")).scalars())
        assert user.region_id == regions["330106"]
    assert codes == {"AH1"}
    assert numbers == {"A-2026-001"}


def test_rls_refuses_insert_for_another_tenant(app, postgres_only):
    regions = _region_ids(app)
    with acting(app, "ah1_admin") as user, orm_filter_disabled():
        db.session.rollback()
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(sa.text(
                "insert into institutions (code, name, kind, region_id, created_at, updated_at)"
                " values ('EVIL', 'x', 'clinic', :r, now(), now())"), {"r": regions["330108"]})
        db.session.rollback()
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(sa.text(
                "insert into agreements (institution_id, region_id, template_id, number, start,"
                " \"end\", status, suspensions, created_at)"
                " select id + 1000, region_id, 1, 'EVIL', now(), now(), 'draft', 0, now()"
                " from institutions where id = :i"), {"i": user.institution_id})
        db.session.rollback()


def test_app_role_cannot_bypass_rls(app, postgres_only):
    with app.app_context():
        row = db.session.execute(sa.text(
            "select rolsuper, rolbypassrls from pg_roles where rolname = current_user")).one()
        owns = db.session.execute(sa.text(
            "select count(*) from pg_tables where schemaname='public'"
            " and tableowner = current_user")).scalar()
    assert row == (False, False)
    assert owns == 0


def test_catalog_every_tenant_table_has_rls_enabled_and_forced(app, postgres_only):
    tables = {m.__tablename__ for m in tenant_models()}
    with app.app_context():
        rows = db.session.execute(sa.text(
            "select relname, relrowsecurity, relforcerowsecurity from pg_class"
            " where relname = any(:t)"), {"t": list(tables)}).all()
        policies = set(db.session.execute(sa.text(
            "select tablename from pg_policies where policyname='tenant_isolation'")).scalars())
    assert {r.relname for r in rows} == tables
    assert all(r.relrowsecurity and r.relforcerowsecurity for r in rows), rows
    assert tables <= policies


def test_every_policy_reads_the_tenant_settings_once_per_statement(app, postgres_only):
    """Each current_setting() of a policy sits in a scalar subquery (an InitPlan, read
    once per statement, not once per row: tenants.rls), and a count under the policy
    shows it so in its plan."""
    from tenants.context import TenantContext, acting_as

    with app.app_context():
        quals = dict(db.session.execute(sa.text(
            "select tablename, qual from pg_policies where policyname='tenant_isolation'")).all())
        with acting_as(TenantContext(region_id=1, role="bureau_admin")):
            plan = "\n".join(db.session.execute(sa.text(
                "EXPLAIN SELECT count(*) FROM assessments")).scalars())
    for table, qual in quals.items():
        settings = qual.count("current_setting(")
        assert settings and qual.count("SELECT") == settings, (table, qual)
    assert "InitPlan" in plan and "Filter" in plan, plan


def _foreign_rows_in_every_table(app) -> dict:
    """Rows of AH1 (the user's own), of its sibling AH2 and of region B's BH1 in every
    tenant table, measurements included; returns BH1's ids."""
    from test_isolation_matrix import _make_foreign

    from saas.models import Indicator, Measurement

    made = {code: _make_foreign(app, bureau, code) for code, bureau in (
        ("AH1", "a_bureau_admin"), ("AH2", "a_bureau_admin"), ("BH1", "b_bureau_admin"))}
    for code, bureau in (("AH1", "a_bureau_admin"), ("BH1", "b_bureau_admin")):
        with acting(app, bureau):
            indicator = db.session.execute(select(Indicator.id)).scalars().first()
            db.session.add(Measurement(institution_id=made[code]["institution_id"],
                                       assessment_id=made[code]["assessment_id"],
                                       indicator_id=indicator, value=1.0))
            db.session.commit()
    return made["BH1"]


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__tablename__)
def test_rls_alone_hides_and_refuses_foreign_rows_in_every_table(app, postgres_only, model):
    """Layer 2 off, every tenant table: an institution user reads only its own rows, and
    an insert carrying another tenant's ids is refused by the database itself."""
    bh1 = _foreign_rows_in_every_table(app)
    table = model.__tablename__
    columns = [c.name for c in model.__table__.columns if c.name != "id"]
    own_column = "id" if table == "institutions" else (
        "institution_id" if "institution_id" in columns else None)
    with app.app_context():  # the owner: foreign rows are there to be hidden
        owner = sa.create_engine(app.config["DATABASE_OWNER_URL"])
        with owner.connect() as conn:
            regions = set(conn.execute(sa.text(f"select distinct region_id from {table}")).scalars())
        owner.dispose()
    assert len(regions) >= 2, f"{table}: no foreign rows to hide"
    with acting(app, "ah1_admin") as user, orm_filter_disabled():
        db.session.rollback()
        rows = db.session.execute(sa.text(
            f"select region_id{', ' + own_column if own_column else ''} from {table}")).all()
        assert rows, f"{table}: nothing of the user's own to compare with"
        assert {r[0] for r in rows} == {user.region_id}, table
        if own_column:
            assert {r[1] for r in rows} == {user.institution_id}, table
        foreign_region = next(r for r in regions if r != user.region_id)
        copied = ", ".join(
            ":region" if c == "region_id" else ":institution" if c == "institution_id" else
            f'"{c}"' for c in columns)
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(sa.text(
                f'insert into {table} ({", ".join(chr(34) + c + chr(34) for c in columns)})'
                f" select {copied} from {table} limit 1"),
                {"region": foreign_region, "institution": bh1["institution_id"]})
        db.session.rollback()
