"""限制申请: what an effective rescission (解除协议) bars, and the public list of rescissions.

The institution is barred by its 统一社会信用代码 for 1 year (a breach of agreement) or 3
(violations, fraud), by the rescission's ground (saas.domain.lifecycle.RESCISSION_GROUNDS);
its legal representative and main officer by their ID numbers for 5 years. A new agreement
for a barred institution, or one led by a barred person, is refused with the date the bar
ends, in every region of the deployment. The rescission carries over to the institution's
agreements in the other regions (a job after the commit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from saas.domain import lifecycle
from saas.domain.messages import N_
from saas.errors import Conflict
from saas.extensions import db
from saas.models import Agreement, Institution, Measure, ReEntryBar, Region
from saas.services import audit
from saas.services.base import after_commit
from saas.timeutil import today_local
from tenants.context import TenantContext, acting_as

PERSONS = (("legal_representative", "legal_representative_id"),
           ("main_officer", "main_officer_id"))
CARRIED_OVER = N_("随 %(region)s 解除协议一并解除（%(basis)s）")


def after_rescission(agreement: Agreement, measure: Measure | None, basis: str) -> list:
    """The bars of an effective rescission, and its carry-over queued for after the
    commit. A rescission at the institution's own request bars no one."""
    ground = measure.ground if measure else None
    cause = lifecycle.RESCISSION_GROUNDS.get(ground, ("", "breach"))[1]
    institution, today = agreement.institution, today_local()
    if cause is None:
        return []
    # the template's bar_years, over 令第2号's defaults
    years = {**lifecycle.DEFAULT_BAR_YEARS, "person": lifecycle.DEFAULT_PERSON_BAR_YEARS,
             **((agreement.template.settings or {}).get("bar_years") or {})}
    common = dict(institution_name=institution.name, region_id=agreement.region_id,
                  measure_id=measure.id if measure else None, ground=ground, basis=basis,
                  rescinded_on=today)
    bars = [ReEntryBar(subject="institution", name=institution.name,
                       key=institution.credit_code or f"institution:{institution.id}",
                       until=lifecycle.bar_until(today, cause, years), **common)]
    for role, id_field in PERSONS:
        person_id = getattr(institution, id_field)
        if person_id:
            bars.append(ReEntryBar(subject="person", key=person_id, role=role,
                                   name=getattr(institution, role) or "",
                                   until=lifecycle.person_bar_until(today, years["person"]),
                                   **common))
    db.session.add_all(bars)
    db.session.flush()
    audit.record("agreement.bars", agreement, after={
        "bars": [{"subject": b.subject, "role": b.role, "until": str(b.until)} for b in bars]})
    if institution.credit_code:
        region_id, code = agreement.region_id, institution.credit_code
        after_commit(lambda: _queue_carry_over(region_id, code, basis))
    return bars


def check_not_barred(institution: Institution, on: date | None = None) -> None:
    """Conflict, with the date the bar ends, when the institution or one of its leading
    persons is barred on ``on`` (default today)."""
    keys = [k for k in (institution.credit_code, institution.legal_representative_id,
                        institution.main_officer_id) if k]
    if not keys:
        return
    bar = db.session.execute(
        select(ReEntryBar).where(ReEntryBar.key.in_(keys),
                                 ReEntryBar.until > (on or today_local()))
        .order_by(ReEntryBar.until.desc()).limit(1)).scalar_one_or_none()
    if bar is not None:
        who = bar.institution_name if bar.subject == "institution" else bar.name
        raise Conflict(N_("%(who)s 因 %(day)s 解除协议，至 %(until)s 前不得签订新协议",
                          who=who, day=str(bar.rescinded_on), until=str(bar.until)))


def public_rescissions(limit: int = 200) -> list[dict]:
    """The public list (解除协议公告): institution, region, ground, basis, date; newest
    first. No ID number, no person."""
    rows = db.session.execute(
        select(ReEntryBar, Region.name).join(Region, Region.id == ReEntryBar.region_id)
        .where(ReEntryBar.subject == "institution")
        .order_by(ReEntryBar.rescinded_on.desc(), ReEntryBar.id.desc()).limit(limit)).all()
    return [{"institution": bar.institution_name, "region": region, "ground": bar.ground,
             "basis": bar.basis, "rescinded_on": bar.rescinded_on, "until": bar.until}
            for bar, region in rows]


def _queue_carry_over(region_id: int, credit_code: str, basis: str) -> None:
    from saas.jobs import enqueue
    from saas.jobs.agreements import carry_over_rescission

    enqueue(carry_over_rescission, region_id, credit_code, basis)


def carry_over(origin_region_id: int, credit_code: str, basis: str) -> dict[int, list[int]]:
    """Rescind the in-force agreements of the same institution (credit code) in every
    other region of the deployment, each in its own region's context and transaction:
    region id → the agreements rescinded."""
    from saas.services import agreements

    origin = db.session.get(Region, origin_region_id)
    regions = db.session.execute(select(Region.id).where(Region.id != origin_region_id)
                                 .order_by(Region.id)).scalars().all()
    done = {}
    for region_id in regions:
        with acting_as(TenantContext(region_id=region_id)):
            in_force = db.session.execute(
                select(Agreement).join(Institution, Institution.id == Agreement.institution_id)
                .where(Institution.credit_code == credit_code,
                       or_(Agreement.status == "active", Agreement.status == "suspended"))
                .with_for_update(of=Agreement)).scalars().all()
            for agreement in in_force:
                agreements.apply_measure(agreement, "rescind",
                                         N_(CARRIED_OVER, region=origin.name, basis=basis))
            db.session.commit()
            if in_force:
                done[region_id] = [a.id for a in in_force]
    return done
