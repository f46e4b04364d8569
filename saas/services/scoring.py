"""The scoring engine as the app runs it: the agreement's indicators and an assessment's
measurements in, saas.domain.scoring out, cached on the rows.

``recompute(assessment)`` is on the hot path (every save, the benchmark): two queries
(the due indicators with their template settings; the measurements), no N+1, no commit:
it runs inside the caller's transaction. Ranks, history, flags and the annual total are
read-side extras of :func:`scorecard`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Float, Integer, String, bindparam, case, func, select
from sqlalchemy.orm import aliased

from saas.domain import barometer
from saas.domain.measurements import due_in
from saas.domain.periods import parse_period, previous_periods
from saas.domain.permissions import kind_counts
from saas.domain.scoring import (
    DEFAULT_WEIGHTS,
    NOT_APPLICABLE,
    GradeBands,
    IndicatorRule,
    Scorecard,
    annual_total,
    colour_counts,
    grade_for,
    perspective_contributions,
    score_scorecard,
)
from saas.extensions import db
from saas.models import (
    Agreement,
    Assessment,
    Clause,
    Indicator,
    Institution,
    Measurement,
    PointsEntry,
    Template,
)
from saas.services import region_cache
from saas.timeutil import rfc3339
from tenants.context import TenantContext, acting_as, current

HISTORY_LENGTH = 6
RANKED_STATUSES = barometer.RANKED_STATUSES


@dataclass(frozen=True)
class DueIndicator:
    """The columns of an indicator (Indicator) that scoring, saving and the scorecard
    read: plain values, so one template version's list can be shared between requests."""

    id: int
    code: str
    name: str
    name_en: str | None
    perspective: str
    unit: str
    direction: str
    target: float | None
    warning: float | None
    zero: float | None
    value_min: float | None
    value_max: float | None
    max_points: float
    frequency: str
    evidence_required: bool


_DUE_COLUMNS = [getattr(Indicator, f) for f in DueIndicator.__dataclass_fields__]


@dataclass(frozen=True)
class DueIndicators:
    """The indicators an assessment's period asks for, in template order."""

    indicators: list[DueIndicator]
    clause_numbers: dict[int, str]
    settings: dict
    template_id: int | None = None

    @property
    def rules(self) -> list[IndicatorRule]:
        return [rule_of(i) for i in self.indicators]


def rule_of(indicator: DueIndicator) -> IndicatorRule:
    return IndicatorRule(indicator.code, indicator.perspective, indicator.direction,
                         indicator.target, indicator.warning, indicator.zero,
                         indicator.max_points)


def due_indicators(assessment: Assessment) -> DueIndicators:
    """The indicators of the exact template version the agreement was signed with
    (Agreement.template_id), due in the assessment's period, with the template's settings:
    one query.

    A published version never changes and an agreement keeps its version, so on
    PostgreSQL, whose ids are never reused, each agreement's list is read once per process
    and database (agreements of one version share one list). SQLite may reuse the id of a
    row rolled back or deleted: there it is read every time."""
    kind = parse_period(assessment.period).kind
    if db.session.get_bind().dialect.name != "postgresql":
        return _read_due(assessment.agreement_id, kind)
    return _kept_due(region_cache.database_id(), assessment.agreement_id, kind)


def _read_due(agreement_id: int, period_kind: str) -> DueIndicators:
    rows = db.session.execute(
        select(*_DUE_COLUMNS, Clause.number, Template.id.label("template_id"),
               Template.settings)
        .join(Template, Template.id == Indicator.template_id)
        .join(Clause, Clause.id == Indicator.clause_id)
        .join(Agreement, Agreement.template_id == Template.id)
        .where(Agreement.id == agreement_id)
        .order_by(Indicator.position)
    ).all()
    width = len(_DUE_COLUMNS)
    due = [row for row in rows if due_in(row.frequency, period_kind)]
    return DueIndicators([DueIndicator(*row[:width]) for row in due],
                         {row.id: row.number for row in due},
                         (rows[0].settings if rows else None) or {},
                         rows[0].template_id if rows else None)


_VERSIONS_KEPT = 4096
_kept_versions: dict[tuple, DueIndicators] = {}


@functools.lru_cache(maxsize=65536)
def _kept_due(database: str, agreement_id: int, period_kind: str) -> DueIndicators:
    due = _read_due(agreement_id, period_kind)
    if len(_kept_versions) >= _VERSIONS_KEPT:
        _kept_versions.clear()
    return _kept_versions.setdefault((database, due.template_id, period_kind), due)


def measurements_of(assessment: Assessment) -> dict[int, Measurement]:
    """One query: the assessment's measurements by indicator id."""
    found = db.session.execute(
        select(Measurement).where(Measurement.assessment_id == assessment.id)).scalars()
    return {m.indicator_id: m for m in found}


def value_of(measurement: Measurement | None, indicator: DueIndicator):
    """A stored measurement as the domain reads it (booleans are kept as 1.0 / 0.0)."""
    if measurement is None:
        return None
    if measurement.not_applicable:
        return NOT_APPLICABLE
    if measurement.value is None:
        return None
    if indicator.direction == "boolean":
        return bool(measurement.value)
    return measurement.value


def score_values(due: DueIndicators, measurements: dict[int, Measurement]) -> Scorecard:
    """saas.domain.scoring on stored data, with the template's weights and grade bands."""
    values = {i.code: value_of(measurements.get(i.id), i) for i in due.indicators}
    settings = due.settings
    weights = settings.get("perspective_weights") or {}
    bands = GradeBands.from_mapping(settings.get("grade_bands"))
    if weights:
        return score_scorecard(due.rules, values, weights, bands)
    return score_scorecard(due.rules, values, bands=bands)


def recompute(assessment: Assessment, due: DueIndicators | None = None,
              measurements: dict[int, Measurement] | None = None) -> Scorecard:
    """Score ``assessment`` and keep the result (total/grade/perspectives) on it, for ranks,
    lists and dashboards. Runs in the caller's transaction. ``due`` and ``measurements``:
    what the caller already loaded (due_indicators / measurements_of), to save queries."""
    if due is None:
        due = due_indicators(assessment)
    if measurements is None:
        measurements = measurements_of(assessment)
    card = score_values(due, measurements)
    total, grade = card.total, card.grade
    if assessment.kind == "annual":
        total, grade, _ = _annual_override(assessment, card)
    assessment.total, assessment.grade = total, grade
    assessment.perspectives = dict(card.perspectives)
    assessment.red_count, assessment.yellow_count = colour_counts(card)
    return card


# --------------------------------------------------------------------------- scorecard


def measurement_card(assessment: Assessment, due: DueIndicators | None = None,
                     measurements: dict[int, Measurement] | None = None,
                     ) -> tuple[dict, DueIndicators]:
    """The scorecard without ranks, history or flags: totals, perspectives, completeness
    and the indicator rows (what the measurement form shows), and the due indicators.
    ``due`` and ``measurements``: what the caller already holds, as for recompute."""
    due = due or due_indicators(assessment)
    measurements = measurements_of(assessment) if measurements is None else measurements
    card = score_values(due, measurements)
    body = {"assessment_id": assessment.id, "institution_id": assessment.institution_id,
            "agreement_id": assessment.agreement_id, "kind": assessment.kind,
            "period": assessment.period, "status": assessment.status,
            "perspectives": dict(card.perspectives), "completeness": card.completeness,
            "contributions": perspective_contributions(
                card.perspectives, due.settings.get("perspective_weights") or DEFAULT_WEIGHTS),
            "indicators": _indicator_rows(due, measurements, card)}
    total, grade = card.total, card.grade
    if assessment.kind == "annual":
        total, grade, body["annual"] = _annual_override(assessment, card)
    body.update(total=total, grade=grade)
    return body, due


def scorecard(assessment: Assessment, due: DueIndicators | None = None,
              measurements: dict[int, Measurement] | None = None) -> dict:
    """The contract's scorecard, live from the stored measurements (no writes), with
    rank in the region and peer group, the last periods' history and the flags."""
    body, due = measurement_card(assessment, due, measurements)
    total, grade = body["total"], body["grade"]
    history = _history(assessment, total, grade)
    body["history"] = [{k: h[k] for k in ("assessment_id", "period", "total", "grade")}
                       for h in history]
    rules = barometer.BarometerRules.from_settings(due.settings)
    body["rank"], bottom_history = _ranks(assessment, total, rules)
    body["barometer"] = (barometer.monthly_barometer(total, rules)
                         if _is_month(assessment) and kind_counts(assessment.kind) else None)
    body["flags"] = barometer.flags(
        bottom_history=bottom_history,
        fail_history=[h["grade"] == "fail" for h in history] if assessment.kind in
        barometer.OFFICIAL_KINDS else [],
        barometer=body["barometer"], rules=rules)
    return body


def scorecard_rows(assessment: Assessment) -> list[dict]:
    """Just the indicator rows of the scorecard (for the templates to download)."""
    due = due_indicators(assessment)
    measurements = measurements_of(assessment)
    return _indicator_rows(due, measurements, score_values(due, measurements))


def _indicator_rows(due: DueIndicators, measurements: dict, card: Scorecard) -> list[dict]:
    rows = []
    for indicator, result in zip(due.indicators, card.indicators, strict=True):
        measurement = measurements.get(indicator.id)
        rows.append({
            "code": indicator.code, "name": indicator.name, "name_en": indicator.name_en,
            "perspective": indicator.perspective,
            "clause_number": due.clause_numbers.get(indicator.id), "unit": indicator.unit,
            "direction": indicator.direction, "target": indicator.target,
            "warning": indicator.warning, "zero": indicator.zero,
            "value": None if result.value is NOT_APPLICABLE else result.value,
            "not_applicable": result.status == "not_applicable",
            "score": None if result.score is None else round(result.score, 2),
            "max_points": indicator.max_points, "color": result.color, "status": result.status,
            "evidence_required": indicator.evidence_required,
            "note": measurement.note if measurement else None,
        })
    return rows


def _is_month(assessment: Assessment) -> bool:
    return parse_period(assessment.period).kind == "month"


@contextlib.contextmanager
def region_read(region_id: int):
    """Read region-wide aggregates for a rank an institution user may see about itself.

    Ranks need the totals of the other institutions, which the institution's own scope
    (ORM filter and RLS) rightly hides. Only here, for a query that selects columns
    (never entities, so no other tenant's object enters the session) and whose result
    leaves this module only as rank numbers and booleans, the context is widened to the
    region of an assessment the caller could already read. Pending writes are flushed
    first and autoflush is off, so nothing is written under the wider scope.
    """
    ctx = current()
    db.session.flush()
    wide = TenantContext(region_id=region_id, user_id=ctx.user_id if ctx else None)
    with db.session.no_autoflush, acting_as(wide):
        yield


def _rank_counts(assessment: Assessment, total: float | None, periods: list[str],
                 bottom_n: int) -> tuple[dict, list[tuple]]:
    """Counted in SQL over the other institutions of the region.

    In this assessment's period: how many have a total (``others``), how many rank above
    ``total``, and the same within its peer group (same kind and level). In each of
    ``periods``, for the bottom-n rule: the institution's own total there (``total`` in
    this period) and how many others have a total and how many rank below it, each
    count capped just past what the rule needs (n + 1 and n), so it reads at most a
    few index entries.

    Each institution's total in a period is the assessment that speaks for it there, which
    the rank read model marks (saas.services.rank_model: ``ranked_as``, ``peer_group``),
    so every figure counts entries of the partial index ``ix_assessments_ranked`` (this
    period's in one pass), which carries the columns row-level security reads: no row
    leaves the database, none is deduplicated, no table page is read. The statement
    is built once per number of periods (:func:`_rank_counts_statement`)."""
    values = {"region_id": assessment.region_id, "own_id": assessment.institution_id,
              "group": barometer.rank_group(assessment.kind), "total": total,
              "below_cap": bottom_n, "others_cap": bottom_n + 1,
              **{f"p{n}": period for n, period in enumerate(periods)}}
    own = periods.index(assessment.period)
    with region_read(assessment.region_id):
        row = db.session.execute(_rank_counts_statement(len(periods), own), values).one()
    ranks = {k: row._mapping[k] for k in ("others", "higher", "peers", "peers_higher")}
    return ranks, [tuple(row._mapping[f"{name}{n}"] for name in ("own_total", "others",
                                                                  "below"))
                   for n in range(len(periods))]


@functools.cache
def _rank_counts_statement(periods: int, own: int):
    """The statement of :func:`_rank_counts`, one row: others, higher, peers,
    peers_higher, then own_total<n>, others<n> and below<n> for each period ``p<n>``.
    Its values are bound parameters: region_id, own_id (the institution), group (the rank
    group), total (the scorecard's own, the reference in period ``p<own>``), p0…,
    below_cap and others_cap."""
    a, me = aliased(Assessment), aliased(Institution)
    own_id = bindparam("own_id", type_=Integer)
    own_peer = (select(me.kind.concat("/").concat(func.coalesce(me.level, "")))
                .where(me.id == own_id).scalar_subquery())
    others, peer = a.institution_id != own_id, a.peer_group == own_peer

    def ranked(period, *conditions):
        return select(a.total).where(a.region_id == bindparam("region_id", type_=Integer),
                                     a.ranked_as == bindparam("group", type_=String),
                                     a.period == period, *conditions)

    def count(period, *conditions, cap: str | None = None):
        rows = ranked(period, *conditions)
        if cap is not None:  # at most ``cap`` entries read
            rows = rows.limit(bindparam(cap, type_=Integer))
        return select(func.count()).select_from(rows.subquery()).scalar_subquery()

    mine, total = bindparam(f"p{own}", type_=String), bindparam("total", type_=Float)

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # this period's four figures in one pass over its entries
    period_counts = ranked(mine, others).with_only_columns(
        func.count().label("others"), tally(a.total > total).label("higher"),
        tally(peer).label("peers"), tally(peer & (a.total > total)).label("peers_higher"),
    ).subquery()
    columns = list(period_counts.c)
    for n in range(periods):
        period = bindparam(f"p{n}", type_=String)
        own_total = ranked(period, a.institution_id == own_id).scalar_subquery()
        reference = total if n == own else own_total
        columns += [own_total.label(f"own_total{n}"),
                    count(period, others, cap="others_cap").label(f"others{n}"),
                    count(period, others, a.total < reference, cap="below_cap")
                    .label(f"below{n}")]
    return select(*columns).select_from(period_counts)


def _ranks(assessment: Assessment, total: float | None, rules) -> tuple[dict, list[bool]]:
    """Rank in the region and the peer group (same kind and level), and for monthly
    assessments whether the institution was in the bottom n of each of the last months.

    The same numbers as saas.domain.scoring.rank / rank_in_groups and barometer.in_bottom
    over the period's totals (one per institution: its representative, this assessment
    for its own), from counts: rank = 1 + the totals above; in the bottom n when fewer
    than n are below and more than n have a total."""
    empty = {"region": None, "region_of": 0, "peer": None, "peer_of": 0}
    if not barometer.rank_kinds(assessment.kind):
        return empty, []
    monthly = _is_month(assessment)
    periods = [str(p) for p in previous_periods(
        assessment.period, rules.bottom_run - 1 if monthly else 0, include_self=True)]
    mine, by_period = _rank_counts(assessment, total, periods, rules.bottom_n)
    known = int(total is not None)
    ranks = {"region": 1 + mine["higher"] if known else None,
             "region_of": mine["others"] + known,
             "peer": 1 + mine["peers_higher"] if known else None,
             "peer_of": mine["peers"] + known}
    bottom = []
    if monthly:
        for period, (own_total, others, below) in zip(periods, by_period, strict=True):
            own_total = total if period == assessment.period else own_total
            bottom.append(barometer.in_bottom_by_counts(own_total, others, below,
                                                         rules.bottom_n))
    return ranks, bottom


def _history(assessment: Assessment, total, grade) -> list[dict]:
    """The last periods (same period length, same rank group) of the institution, oldest
    first, ending with this assessment; one entry per period (its latest assessment)."""
    kinds = barometer.rank_kinds(assessment.kind) or (assessment.kind,)
    length = parse_period(assessment.period).kind
    rows = db.session.execute(
        select(Assessment.id, Assessment.period, Assessment.total, Assessment.grade)
        .where(Assessment.institution_id == assessment.institution_id,
               Assessment.kind.in_(kinds), Assessment.period_start < assessment.period_start,
               Assessment.status.in_(RANKED_STATUSES))
        .order_by(Assessment.period_start.desc(), Assessment.id.desc())
        .limit(HISTORY_LENGTH * 4)
    ).all()
    latest: dict[str, dict] = {}
    for row in rows:
        if parse_period(row.period).kind == length and row.period not in latest:
            latest[row.period] = {"assessment_id": row.id, "period": row.period,
                                  "total": row.total, "grade": row.grade}
    earlier = sorted(latest.values(), key=lambda h: parse_period(h["period"]).start)
    own = {"assessment_id": assessment.id, "period": assessment.period, "total": total,
           "grade": grade}
    return (earlier + [own])[-HISTORY_LENGTH:]


# --------------------------------------------------------------------------- annual


def points_for_year(agreement: Agreement, year: int) -> tuple[float, list[dict]]:
    """记分 of one agreement in ``year``: (total, events); see :func:`points_by_agreement`."""
    events = points_by_agreement([agreement.id], year).get(agreement.id, [])
    return sum(e["points"] for e in events), events


def points_by_agreement(agreement_ids: Collection[int], year: int) -> dict[int, list[dict]]:
    """The 记分 lines of each agreement in ``year``, in one query over the points ledger
    (saas.services.points: a confirmed finding's points in the calendar year of its
    decision, the self-reported and missed factors applied, reversals included; mock
    inspections never count). With :func:`points_in_year` (their sum, in SQL), the one
    place the year's points are read."""
    rows = db.session.execute(_points_statement(),
                              {"ids": list(agreement_ids), "year": year}).scalars().all()
    events: dict[int, list[dict]] = {}
    for line in rows:
        events.setdefault(line.agreement_id, []).append({
            "finding_id": line.finding_id, "points": line.points, "factor": line.factor,
            "reason": line.reason, "at": rfc3339(line.created_at)})
    return events


def points_in_year(agreement_id, year):
    """The sum of :func:`points_by_agreement`'s lines of ``agreement_id`` in ``year``, as a
    correlated SQL expression (a list shows the sum beside each row; NULL when none)."""
    return (select(func.sum(PointsEntry.points))
            .where(PointsEntry.agreement_id == agreement_id, PointsEntry.year == year)
            .scalar_subquery())


@functools.cache
def _points_statement():
    """points_by_agreement's statement, built once (ids and year bound)."""
    return (select(PointsEntry)
            .where(PointsEntry.agreement_id.in_(bindparam("ids", expanding=True)),
                   PointsEntry.year == bindparam("year", type_=Integer))
            .order_by(PointsEntry.id))


def _period_totals(agreement: Agreement, year: int) -> dict:
    """The year's finalized month and quarter totals: per period the latest official
    inspection, else the latest self-inspection."""
    rows = db.session.execute(
        select(Assessment.period, Assessment.kind, Assessment.total)
        .where(Assessment.agreement_id == agreement.id, Assessment.status == "finalized",
               Assessment.total.is_not(None),
               Assessment.period_start >= date(year, 1, 1),
               Assessment.period_end <= date(year, 12, 31))
        .order_by(Assessment.id)
    ).all()
    chosen: dict = {}
    for kinds in reversed(barometer.ANNUAL_SOURCES):  # official overwrites self
        for row in rows:
            if row.kind in kinds and parse_period(row.period).kind != "year":
                chosen[parse_period(row.period)] = row.total
    return chosen


def annual_scorecard(agreement: Agreement, year: int) -> dict:
    """年度考核: the year's period totals combined (a quarter covers its three months),
    minus the year's points (1 point of 记分 = 1 point off by default)."""
    settings = agreement.template.settings or {}
    totals = _period_totals(agreement, year)
    points, events = points_for_year(agreement, year)
    total = barometer.annual_result(year, totals, points,
                                    barometer.AnnualRules.from_settings(settings))
    return {
        "agreement_id": agreement.id, "year": year,
        "periods": [{"period": str(p), "total": t} for p, t in
                    sorted(totals.items(), key=lambda item: item[0].start)],
        "months_covered": len(barometer.month_totals(year, totals)),
        "points": points, "point_events": events, "total": total,
        "grade": grade_for(total, GradeBands.from_mapping(settings.get("grade_bands"))),
    }


def _annual_override(assessment: Assessment, card: Scorecard) -> tuple:
    """(total, grade, annual) of an annual assessment: the year's periods combined minus
    points; when no period of the year is finalized, its own indicator total minus points."""
    agreement = assessment.agreement
    settings = agreement.template.settings or {}
    annual = annual_scorecard(agreement, parse_period(assessment.period).year)
    if annual["months_covered"] or card.total is None:
        return annual["total"], annual["grade"], annual
    rules = barometer.AnnualRules.from_settings(settings)
    total = annual_total([card.total], annual["points"], rules.points_per_deduction)
    return total, grade_for(total, GradeBands.from_mapping(settings.get("grade_bands"))), annual
