"""Read models: the figures the dashboards (and the overview pages) show, counted in SQL.

Every function runs ORM selects, so the tenant context scopes them like any other read
(the ORM filter, and RLS on PostgreSQL): a bureau user counts its region, an institution
user only itself. Nothing here loads rows into Python to count them; each figure is one
GROUP BY statement whose size does not grow with the region.

Two building blocks name the rules the figures share, as subqueries one can join:

* :func:`latest_scores`: each institution's latest scored assessment of a kind that
  counts (saas.domain.permissions.COUNTING_KINDS);
* :func:`current_agreements`: each institution's agreement in force today, else its
  earliest one still to start.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from saas.domain.lifecycle import DEFAULT_RENEWAL_MONTHS_BEFORE
from saas.domain.periods import add_months
from saas.domain.permissions import COUNTING_KINDS
from saas.extensions import db
from saas.models import Agreement, Assessment, Indicator, Institution, Measure, Measurement
from saas.services.scoring import RANKED_STATUSES
from saas.timeutil import today_local


def latest_scores(institution_ids: Collection[int] | None = None):
    """Subquery ``(institution_id, assessment_id, total, grade)``: per institution (of
    ``institution_ids``, else every one in scope) the scored assessment of a counting kind
    with the latest period end (then the latest id)."""
    ranked = select(
        Assessment.institution_id, Assessment.id.label("assessment_id"), Assessment.total,
        Assessment.grade,
        func.row_number().over(
            partition_by=Assessment.institution_id,
            order_by=(Assessment.period_end.desc(), Assessment.id.desc())).label("n"),
    ).where(Assessment.kind.in_(COUNTING_KINDS), Assessment.total.is_not(None))
    if institution_ids is not None:
        ranked = ranked.where(Assessment.institution_id.in_(institution_ids))
    ranked = ranked.subquery()
    return (select(ranked.c.institution_id, ranked.c.assessment_id, ranked.c.total,
                   ranked.c.grade)
            .where(ranked.c.n == 1).subquery("latest_scores"))


def current_agreements(today: date | None = None,
                       institution_ids: Collection[int] | None = None):
    """Subquery ``(institution_id, agreement_id, status)``: per institution (of
    ``institution_ids``, else every one in scope) the agreement that started last on or
    before ``today``; an institution whose agreements all start later gets the earliest.
    ``today`` and ``institution_ids`` may be bound parameters (a statement built once)."""
    today = today_local() if today is None else today
    started = Agreement.start <= today
    ranked = select(
        Agreement.institution_id, Agreement.id.label("agreement_id"), Agreement.status,
        func.row_number().over(
            partition_by=Agreement.institution_id,
            order_by=(case((started, 0), else_=1), case((started, Agreement.start)).desc(),
                      Agreement.start, Agreement.id.desc())).label("n"),
    )
    if institution_ids is not None:
        ranked = ranked.where(Agreement.institution_id.in_(institution_ids))
    ranked = ranked.subquery()
    return (select(ranked.c.institution_id, ranked.c.agreement_id, ranked.c.status)
            .where(ranked.c.n == 1).subquery("current_agreements"))


def institutions_by_kind() -> dict[str, int]:
    """Institutions the context sees, per kind (hospital, clinic, pharmacy)."""
    rows = db.session.execute(
        select(Institution.kind, func.count()).group_by(Institution.kind)).all()
    return {kind: n for kind, n in rows}


def agreements_by_status(today: date | None = None,
                         institutions: int | None = None) -> dict[str | None, int]:
    """Institutions per status of their current agreement (``None``: no agreement).
    ``institutions``: how many the context sees, when the caller has counted them."""
    current = current_agreements(today)
    counts = dict(db.session.execute(
        select(current.c.status, func.count()).group_by(current.c.status)).all())
    return _with_the_rest(counts, institutions)


def grades(institutions: int | None = None) -> dict[str | None, int]:
    """Institutions per grade of their latest counting score (``None``: none scored yet).
    ``institutions``: how many the context sees, when the caller has counted them."""
    latest = latest_scores()
    counts = dict(db.session.execute(
        select(latest.c.grade, func.count()).group_by(latest.c.grade)).all())
    return _with_the_rest(counts, institutions)


def _with_the_rest(counts: dict, every: int | None) -> dict:
    """``counts`` per institution, and under ``None`` the institutions it leaves out.

    Counted apart, not by joining every institution to the per-institution subquery:
    row-level security hides the table sizes from the planner, which then expects a
    handful of rows and joins 20 000 × 20 000 in a nested loop (16 s for a province)."""
    if every is None:
        every = db.session.execute(select(func.count()).select_from(Institution)).scalar()
    rest = every - sum(counts.values())
    return {**counts, None: rest} if rest else counts


def is_red(value, not_applicable, direction, target):
    """SQL twin of saas.domain.scoring.score_indicator's colour == "red" (红色预警: the
    target is missed) for a measurement's columns and its indicator's: a value that is
    there and applicable, and for "lower is better" above the target, for "higher is
    better" below it, for a yes/no indicator a no. tests/test_workbench.py compares the
    two."""
    return and_(
        value.is_not(None), not_applicable.is_(False),
        or_(and_(direction == "lower_better", value > target),
            and_(direction == "higher_better", value < target),
            and_(direction == "boolean", value == 0)))


def red_measurements(assessment_ids):
    """Select ``(assessment_id, red)``: per assessment of ``assessment_ids`` (a select of
    ids), how many of its measurements are red."""
    red = is_red(Measurement.value, Measurement.not_applicable, Indicator.direction,
                 Indicator.target)
    return (select(Measurement.assessment_id, func.count().label("red"))
            .join(Indicator, Indicator.id == Measurement.indicator_id)
            .where(Measurement.assessment_id.in_(assessment_ids), red)
            .group_by(Measurement.assessment_id))


def institutions_needing_attention(flag: str, period: str):
    """Select of institution ids for a workbench figure of ``period`` (a month):

    * ``red``: a submitted or finalized assessment of a counting kind with a red
      indicator (红色预警);
    * ``fail``: such an assessment graded 不合格;
    * ``self_missing``: an active agreement but no submitted self-inspection
      (自查未提交: none, or still a draft)."""
    counted = select(Assessment.id).where(
        Assessment.period == period, Assessment.kind.in_(COUNTING_KINDS),
        Assessment.status.in_(RANKED_STATUSES))
    if flag == "red":  # the read model: each assessment's red count, kept when scored
        return counted.with_only_columns(Assessment.institution_id).where(
            Assessment.red_count > 0).distinct()
    if flag == "fail":
        return counted.with_only_columns(Assessment.institution_id).where(
            Assessment.grade == "fail").distinct()
    if flag == "self_missing":
        submitted = select(Assessment.institution_id).where(
            Assessment.period == period, Assessment.kind == "self",
            Assessment.status.in_(RANKED_STATUSES))
        return (select(Agreement.institution_id).where(Agreement.status == "active")
                .where(Agreement.institution_id.not_in(submitted)).distinct())
    raise ValueError("unknown attention flag", flag)


ATTENTION_FLAGS = ("red", "fail", "self_missing")


def expiring_agreements(today: date | None = None,
                        months: int = DEFAULT_RENEWAL_MONTHS_BEFORE):
    """Select of the active agreements whose term ends within ``months`` (the renewal
    window, 续签窗口) and that have no successor yet."""
    today = today or today_local()
    successor = select(Agreement.predecessor_id).where(Agreement.predecessor_id.is_not(None))
    return select(Agreement).where(
        Agreement.status == "active", Agreement.end >= today,
        Agreement.end <= add_months(today, months), Agreement.id.not_in(successor))


def count(statement) -> int:
    """How many rows a select returns, counted by the database."""
    return db.session.execute(
        select(func.count()).select_from(statement.subquery())).scalar_one()


WAITING = ("notify", "decide", "overdue", "appeal")


def waiting_condition(step: str, today: date):
    """Measures waiting for ``step``: notify (proposed, the institution cannot see them
    yet), decide (appealed: the bureau owes an answer), overdue (notified, the appeal
    window closed with no decision yet), appeal (notified, the window still open)."""
    if step == "notify":
        return Measure.status == "proposed"
    if step == "decide":
        return Measure.status == "appealed"
    if step == "overdue":
        return (Measure.status == "notified") & (Measure.appeal_until < today)
    return (Measure.status == "notified") & (Measure.appeal_until >= today)
