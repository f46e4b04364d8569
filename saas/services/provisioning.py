"""`pact tenants provision FILE.yaml`: create or update a region from a spec, idempotently.

Running the same spec twice changes nothing: rows are matched by their natural keys
(region code, e-mail, institution code, template code + content, agreement number).
Passwords are set only when a user is created. The whole spec is one transaction.
A spec that creates many rows (a province's institutions) is a bulk load: the planner's
statistics are made fresh afterwards (ANALYZE_AFTER_ROWS, default 500).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from saas.dbadmin import analyze
from saas.extensions import db
from saas.models import Agreement, Institution, Region, User
from saas.services import audit, templates
from saas.services.auth import hash_password
from saas.services.base import column_snapshot, transaction
from tenants.context import TenantContext, acting_as
from tenants.spec import load_spec

DEMO_SPEC = Path(__file__).resolve().parent.parent.parent / "tenants" / "specs" / "demo.yaml"
INSTITUTION_FIELDS = ("name", "kind", "level", "credit_code", "address", "district", "ownership",
                      "legal_representative", "legal_representative_id", "main_officer",
                      "main_officer_id")


@dataclass
class Report:
    region: str = ""
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, what: str, created: bool, changed: bool = True) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1
        elif changed:
            self.updated[what] = self.updated.get(what, 0) + 1

    def summary(self) -> str:
        def fmt(d):
            return ", ".join(f"{v} {k}" for k, v in sorted(d.items())) or "nothing"

        return f"region {self.region}: created {fmt(self.created)}; updated {fmt(self.updated)}"


def provision_file(path) -> Report:
    return provision(load_spec(path))


def provision(spec: dict) -> Report:
    report = Report(region=spec["region"]["code"])
    with transaction():
        region = _region(spec["region"], report)
        with acting_as(TenantContext(region_id=region.id)):
            for user in spec.get("users") or []:
                _user(user, region, None, report)
            for template in spec.get("templates") or []:
                _, created = templates.publish(template)
                report.count("template versions", created, changed=False)
            for item in spec.get("institutions") or []:
                institution = _institution(item, region, report)
                for user in item.get("users") or []:
                    _user(user, region, institution, report)
                if item.get("agreement"):
                    _agreement(item["agreement"], institution, report)
    if sum(report.created.values()) >= current_app.config["ANALYZE_AFTER_ROWS"]:
        analyze(("institutions", "agreements", "users"))
    return report


def _region(spec: dict, report: Report) -> Region:
    region = db.session.execute(
        select(Region).where(Region.code == spec["code"])).scalar_one_or_none()
    if region is None:
        region = Region(code=spec["code"], name=spec["name"])
        db.session.add(region)
        db.session.flush()
        audit.record("region.created", region, after=column_snapshot(region), actor="provisioning")
        report.count("regions", True)
    elif region.name != spec["name"]:
        before = column_snapshot(region)
        region.name = spec["name"]
        audit.record("region.updated", region, before=before, after=column_snapshot(region),
                     actor="provisioning")
        report.count("regions", False)
    return region


def _user(spec: dict, region: Region, institution, report: Report) -> None:
    user = db.session.execute(select(User).where(User.email == spec["email"])).scalar_one_or_none()
    wanted = {"name": spec.get("name") or spec["email"].split("@")[0], "role": spec["role"],
              "region_id": region.id, "institution_id": institution.id if institution else None}
    if user is None:
        user = User(email=spec["email"], password_hash=hash_password(
            spec.get("password") or _unusable_password()), **wanted)
        db.session.add(user)
        db.session.flush()
        audit.record("user.created", user, object_type="User", actor="provisioning",
                     after={k: v for k, v in column_snapshot(user).items()
                            if k != "password_hash"})
        report.count("users", True)
        return
    _update(user, wanted, "user.updated", "users", report)


def _institution(spec: dict, region: Region, report: Report) -> Institution:
    institution = db.session.execute(
        select(Institution).where(Institution.code == spec["code"])).scalar_one_or_none()
    wanted = {f: spec.get(f) for f in INSTITUTION_FIELDS}
    if institution is None:
        institution = Institution(code=spec["code"], region_id=region.id, **wanted)
        db.session.add(institution)
        db.session.flush()
        audit.record("institution.created", institution, after=column_snapshot(institution),
                     actor="provisioning")
        report.count("institutions", True)
        return institution
    _update(institution, wanted, "institution.updated", "institutions", report)
    return institution


def _agreement(spec: dict, institution: Institution, report: Report) -> None:
    from saas.services import agreements

    existing = db.session.execute(
        select(Agreement).where(Agreement.number == spec["number"])).scalar_one_or_none()
    if existing is not None:
        return  # a signed agreement is never changed by a spec; renewals go through services
    template = templates.latest_version(spec["template"])
    agreements.create_signed(institution, template, spec["number"], spec["start"], spec["end"])
    report.count("agreements", True)


def _update(obj, wanted: dict, action: str, what: str, report: Report,
) -> None:
    changed = {k: v for k, v in wanted.items() if getattr(obj, k) != v}
    if not changed:
        return
    before = {k: getattr(obj, k) for k in changed}
    for key, value in changed.items():
        setattr(obj, key, value)
    audit.record(action, obj, object_type=type(obj).__name__, before=before, after=changed,
                 actor="provisioning")
    report.count(what, False)


def _unusable_password() -> str:
    import secrets

    return secrets.token_urlsafe(24) + "Aa1!"


def demo_logins() -> tuple[list[tuple[str, str, str]], str]:
    """(email, role, where) for every user of the demo spec, and the demo password."""
    spec = load_spec(DEMO_SPEC)
    rows = [(u["email"], u["role"], spec["region"]["name"]) for u in spec["users"]]
    password = next((u["password"] for u in spec["users"] if u.get("password")), "")
    for inst in spec["institutions"]:
        rows += [(u["email"], u["role"], inst["name"]) for u in inst.get("users") or []]
    return rows, password
