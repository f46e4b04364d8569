"""数据看板: the figures of the bureau dashboards (dash_app), counted in SQL under the
request's tenant context (the ORM filter, and RLS on PostgreSQL): a bureau user sees its
region, an institution user itself; mock inspections stay out (their rows are private).

Every figure takes a :class:`View` (period, institution kind, level, district: the
filters every dashboard page shares and keeps in its URL). Nothing loads the region's
rows into Python to count them: each figure is one GROUP BY, and the overview grid reads
one page at a time (its sort key in SQL, then the page's other columns for its ≤ 100
institutions only). Results are cached per tenant and view (saas.services.region_cache)
until the region's data changes.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select

from saas.domain import measures as measure_rules
from saas.domain import rectification as ledger_rules
from saas.domain.periods import PeriodError, last_closed_month, parse_period
from saas.domain.permissions import COUNTING_KINDS
from saas.extensions import db
from saas.models import (
    Agreement,
    Assessment,
    Finding,
    Indicator,
    Institution,
    Measure,
    Measurement,
    PointsEntry,
    RectificationItem,
)
from saas.services import analytics
from saas.services.pg_tuning import planner
from saas.services.region_cache import cached
from saas.services.scoring import RANKED_STATUSES
from saas.timeutil import today_local

KINDS = ("hospital", "clinic", "pharmacy")
#: Region-wide figures are planned with hash joins: row-level security hides the tables'
#: sizes from PostgreSQL, which then loops over indexes 250 000 times where one hash join
#: reads the rows once (the red count at 2 000 institutions: 265 ms → 77 ms,
#: docs/performance.md). An institution's drill-down keeps the default plans.
REGION_WIDE = {"enable_nestloop": "off", "enable_mergejoin": "off"}
GRID_SORTS = ("name", "code", "score", "points", "open_items", "overdue_items")
PAGE_LIMIT = 200  # rows of the grid in one request
AGEING = ledger_rules.OVERDUE_AGEING


@dataclass(frozen=True)
class View:
    """What every dashboard page filters by (and keeps in its URL)."""

    period: str
    kind: str | None = None
    level: str | None = None
    district: str | None = None

    @classmethod
    def of(cls, args) -> View:
        """From a query string (or a callback's inputs): an unknown or malformed value
        falls back to all (or, for the period, the last closed month), never an error."""
        args = args if isinstance(args, dict) else {}

        def text(name: str, limit: int) -> str | None:
            value = args.get(name)
            return value.strip()[:limit] or None if isinstance(value, str) else None

        try:
            period = str(parse_period(text("period", 10) or ""))
        except PeriodError:
            period = ""
        if len(period) != 7:  # the dashboards compare months
            period = str(last_closed_month(today_local()))
        kind = text("kind", 16)
        return cls(period, kind if kind in KINDS else None, text("level", 16),
                   text("district", 50))

    def query(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}

    @property
    def end(self) -> date:
        return parse_period(self.period).end

    @property
    def year(self) -> int:
        return int(self.period[:4])


def institutions_in(view: View):
    """Select of the ids of the institutions the view shows (the tenant scopes them)."""
    statement = select(Institution.id)
    for column, value in ((Institution.kind, view.kind), (Institution.level, view.level),
                          (Institution.district, view.district)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def choices() -> dict:
    """The filters' choices: the levels and districts the scope has (one pass over the
    institutions, grouped by both)."""
    def compute():
        pairs = db.session.execute(select(Institution.level, Institution.district)
                                   .group_by(Institution.level, Institution.district)).all()
        return {"levels": sorted({lv for lv, _d in pairs if lv}),
                "districts": sorted({d for _lv, d in pairs if d})}

    return cached("choices", None, compute)


def region_wide(compute):
    """``compute`` planned for region-wide reads (REGION_WIDE), inside its transaction."""
    @functools.wraps(compute)
    def planned(*args, **kwargs):
        with planner(db.session.connection(), **REGION_WIDE):
            return compute(*args, **kwargs)
    return planned


# --------------------------------------------------------------------------- overview
def overview(view: View) -> dict:
    """区域总览's figures: institutions, by grade, red (三色预警) this period, by current
    measure, rectification items open and overdue."""
    return cached("overview", view, lambda: _overview(view))


@region_wide
def _overview(view: View) -> dict:
    ids = institutions_in(view)
    every = analytics.count(ids)
    latest = _latest_scores(view)
    grades = dict(db.session.execute(select(latest.c.grade, func.count()).where(
        latest.c.institution_id.in_(ids)).group_by(latest.c.grade)).all())
    colours = _colour_counts(view, ids)
    today = today_local()
    items = db.session.execute(select(
        func.count().filter(RectificationItem.status != "closed"),
        func.count().filter(_overdue(today))).where(
        RectificationItem.institution_id.in_(ids))).one()
    measures = dict(db.session.execute(select(Measure.measure, func.count()).where(
        Measure.institution_id.in_(ids), Measure.status.in_(LIVE_MEASURES))
        .group_by(Measure.measure)).all())
    return {"institutions": every, "grades": {**grades, None: every - sum(grades.values())},
            "colours": {**colours, "no_data": every - sum(colours.values())},
            "red": colours["red"], "open_items": items[0], "overdue_items": items[1],
            "measures": measures}


def _colour_counts(view: View, ids) -> dict[str, int]:
    """Institutions by their worst 三色预警 this period (their submitted or finalized
    assessments of a counting kind, from the counts their scoring keeps)."""
    worst = (select(Assessment.institution_id, func.max(case(
        (Assessment.red_count > 0, 3), (Assessment.yellow_count > 0, 2), else_=1)).label("w"))
        .where(Assessment.period == view.period, Assessment.kind.in_(COUNTING_KINDS),
               Assessment.status.in_(RANKED_STATUSES), Assessment.red_count.is_not(None),
               Assessment.institution_id.in_(ids))
        .group_by(Assessment.institution_id).subquery())
    found = dict(db.session.execute(select(worst.c.w, func.count()).group_by(worst.c.w)).all())
    return {"red": found.get(3, 0), "yellow": found.get(2, 0), "green": found.get(1, 0)}


LIVE_MEASURES = tuple(s for s in measure_rules.STATUSES if s not in measure_rules.FINAL)


def _overdue(today: date):
    return and_(RectificationItem.status != "closed", RectificationItem.due_date < today)


def _latest_scores(view: View):
    """Per institution its latest scored assessment of a counting kind up to the view's
    period (the overview's score, grade and perspectives)."""
    ranked = select(
        Assessment.institution_id, Assessment.id.label("assessment_id"), Assessment.total,
        Assessment.grade,
        func.row_number().over(partition_by=Assessment.institution_id,
                               order_by=(Assessment.period_end.desc(),
                                         Assessment.id.desc())).label("n"),
    ).where(Assessment.kind.in_(COUNTING_KINDS), Assessment.total.is_not(None),
            Assessment.period_end <= view.end).subquery()
    return (select(ranked.c.institution_id, ranked.c.assessment_id, ranked.c.total,
                   ranked.c.grade).where(ranked.c.n == 1).subquery("latest"))


# ------------------------------------------------------------------------------- grid
def grid_page(view: View, sort: str = "score", descending: bool = True, start: int = 0,
              end: int = 100, search: str | None = None) -> dict:
    """One block of the overview grid (AG Grid's infinite row model asks for rows
    ``start`` to ``end``): ``{rows, total}``. The order is taken in SQL over the view's
    institutions; the block's other columns are read for its institutions only."""
    sort = sort if sort in GRID_SORTS else "score"
    start = max(0, start)
    size = max(0, min(end - start, PAGE_LIMIT))
    return cached("grid", view, lambda: _grid_page(view, sort, descending, start, size,
                                                   search), sort, descending, start, size,
                  search)


@region_wide
def _grid_page(view, sort, descending, start, size, search) -> dict:
    ids = institutions_in(view)
    if search:
        ids = ids.where(or_(Institution.name.contains(search, autoescape=True),
                            Institution.code.contains(search, autoescape=True)))
    key = _sort_key(view, sort)
    order = key.desc().nulls_last() if descending else key.asc().nulls_last()
    page_ids = list(db.session.execute(
        _sort_statement(view, sort).where(Institution.id.in_(ids))
        .order_by(order, Institution.id).offset(start).limit(size)).scalars())
    total = analytics.count(ids)
    return {"rows": _rows(view, page_ids), "total": total}


def _sort_key(view: View, sort: str):
    return {"name": Institution.name, "code": Institution.code}.get(sort) or \
        _SORT_SUBQUERIES[sort](view).c.value


def _sort_statement(view: View, sort: str):
    statement = select(Institution.id)
    if sort in _SORT_SUBQUERIES:
        sub = _SORT_SUBQUERIES[sort](view)
        statement = statement.outerjoin(sub, sub.c.institution_id == Institution.id)
    return statement


def _score_value(view: View):
    latest = _latest_scores(view)
    return select(latest.c.institution_id, latest.c.total.label("value")).subquery("k")


def _points_value(view: View):
    return (select(PointsEntry.institution_id, func.sum(PointsEntry.points).label("value"))
            .where(PointsEntry.year == view.year).group_by(PointsEntry.institution_id)
            .subquery("k"))


def _items_value(overdue: bool):
    def sub(_view: View):
        condition = _overdue(today_local()) if overdue else RectificationItem.status != "closed"
        return (select(RectificationItem.institution_id, func.count().label("value"))
                .where(condition).group_by(RectificationItem.institution_id).subquery("k"))
    return sub


_SORT_SUBQUERIES = {"score": _score_value, "points": _points_value,
                    "open_items": _items_value(False), "overdue_items": _items_value(True)}


def _rows(view: View, ids: list[int]) -> list[dict]:
    """The grid's columns for the institutions ``ids``, in that order."""
    if not ids:
        return []
    today = today_local()
    base = {i.id: i for i in db.session.execute(
        select(Institution).where(Institution.id.in_(ids))).scalars()}
    latest = _latest_scores(view)
    scores = {r.institution_id: r for r in db.session.execute(
        select(latest).where(latest.c.institution_id.in_(ids)))}
    colours = _colours([r.assessment_id for r in scores.values()])
    points = dict(db.session.execute(
        select(PointsEntry.institution_id, func.sum(PointsEntry.points))
        .where(PointsEntry.year == view.year, PointsEntry.institution_id.in_(ids))
        .group_by(PointsEntry.institution_id)).all())
    items = {r[0]: r[1:] for r in db.session.execute(
        select(RectificationItem.institution_id,
               func.count().filter(RectificationItem.status != "closed"),
               func.count().filter(_overdue(today)))
        .where(RectificationItem.institution_id.in_(ids))
        .group_by(RectificationItem.institution_id))}
    agreements = {r.institution_id: r.status for r in db.session.execute(
        select(analytics.current_agreements(today, ids)))}
    measures = _latest_measures(ids)
    rows = []
    for i in ids:
        inst, score = base[i], scores.get(i)
        rows.append({
            "id": i, "code": inst.code, "name": inst.name, "kind": inst.kind,
            "level": inst.level, "district": inst.district,
            "score": score.total if score else None, "grade": score.grade if score else None,
            "colour": colours.get(score.assessment_id, "no_data") if score else "no_data",
            "points": points.get(i, 0.0), "agreement_status": agreements.get(i),
            "open_items": items.get(i, (0, 0))[0], "overdue_items": items.get(i, (0, 0))[1],
            "measure": measures.get(i)})
    return rows


def _colours(assessment_ids: list[int]) -> dict[int, str]:
    """三色预警 of each assessment: red when an indicator is red, else yellow when one
    is yellow, else green (the counts its scoring keeps, saas.services.scoring)."""
    if not assessment_ids:
        return {}
    found = db.session.execute(
        select(Assessment.id, Assessment.red_count, Assessment.yellow_count)
        .where(Assessment.id.in_(assessment_ids))).all()
    return {a: "red" if r else "yellow" if y else "green" for a, r, y in found}


def _latest_measures(ids: list[int]) -> dict[int, dict]:
    ranked = select(
        Measure.institution_id, Measure.measure, Measure.status,
        func.row_number().over(partition_by=Measure.institution_id,
                               order_by=Measure.id.desc()).label("n"),
    ).where(Measure.institution_id.in_(ids)).subquery()
    return {r.institution_id: {"measure": r.measure, "status": r.status}
            for r in db.session.execute(select(ranked).where(ranked.c.n == 1))}


# ----------------------------------------------------------------------- other pages
def trends(view: View, periods: int = 12) -> list[dict]:
    """考核趋势: per month up to the view's, the mean score and the institutions per
    grade (counting kinds, submitted or finalized)."""
    return cached("trends", view, lambda: _trends(view, periods))


@region_wide
def _trends(view: View, periods: int) -> list[dict]:
    first = parse_period(view.period)
    for _ in range(periods - 1):
        first = first.previous()
    rows = db.session.execute(
        select(Assessment.period, func.avg(Assessment.total), Assessment.grade, func.count())
        .where(Assessment.kind.in_(COUNTING_KINDS), Assessment.status.in_(RANKED_STATUSES),
               Assessment.total.is_not(None), Assessment.period_start >= first.start,
               Assessment.period_end <= view.end, Assessment.period.like("____-__"),
               Assessment.institution_id.in_(institutions_in(view)))
        .group_by(Assessment.period, Assessment.grade).order_by(Assessment.period)).all()
    by_period: dict[str, dict] = {}
    for period, mean, grade, n in rows:
        entry = by_period.setdefault(period, {"period": period, "grades": {}, "sum": 0.0,
                                              "n": 0})
        entry["grades"][grade] = n
        entry["sum"] += float(mean) * n
        entry["n"] += n
    return [{"period": p, "mean": round(e["sum"] / e["n"], 2), "grades": e["grades"],
             "assessed": e["n"]} for p, e in sorted(by_period.items())]


def findings(view: View) -> dict:
    """检查发现: confirmed findings of the view's year, by category and severity, and by
    institution kind."""
    return cached("findings", view, lambda: _findings(view))


@region_wide
def _findings(view: View) -> dict:
    year_start = date(view.year, 1, 1)
    confirmed = (select(Finding.category, Finding.severity, Institution.kind, func.count())
                 .join(Institution, Institution.id == Finding.institution_id)
                 .where(Finding.status == "confirmed", Finding.decided_at >= year_start,
                        Finding.decided_at < view.end + timedelta(days=1),
                        Finding.institution_id.in_(institutions_in(view)))
                 .group_by(Finding.category, Finding.severity, Institution.kind))
    rows = db.session.execute(confirmed).all()
    return {"rows": [{"category": c, "severity": s, "kind": k, "count": n}
                     for c, s, k, n in rows]}


def pipeline(view: View) -> dict:
    """处理流程: measures by kind and status, and how many wait for each next step."""
    return cached("pipeline", view, lambda: _pipeline(view))


@region_wide
def _pipeline(view: View) -> dict:
    today = today_local()
    ids = institutions_in(view)
    rows = db.session.execute(select(Measure.measure, Measure.status, func.count())
                              .where(Measure.institution_id.in_(ids))
                              .group_by(Measure.measure, Measure.status)).all()
    waiting = db.session.execute(select(*[
        func.count().filter(analytics.waiting_condition(step, today)) for step in analytics.WAITING])
        .where(Measure.institution_id.in_(ids))).one()
    institutions = dict(db.session.execute(
        select(Measure.status, func.count(Measure.institution_id.distinct()))
        .where(Measure.institution_id.in_(ids)).group_by(Measure.status)).all())
    return {"rows": [{"measure": m, "status": s, "count": n} for m, s, n in rows],
            "waiting": dict(zip(analytics.WAITING, waiting, strict=True)),
            "institutions": institutions}


def rectification(view: View) -> dict:
    """整改进度: items by state, and the overdue ones by how long (逾期账龄)."""
    return cached("rectification", view, lambda: _rectification(view))


@region_wide
def _rectification(view: View) -> dict:
    today = today_local()
    ids = institutions_in(view)
    states = dict(db.session.execute(
        select(RectificationItem.status, func.count())
        .where(RectificationItem.institution_id.in_(ids))
        .group_by(RectificationItem.status)).all())
    late = today - RectificationItem.due_date if db.engine.dialect.name == "postgresql" \
        else func.julianday(today.isoformat()) - func.julianday(RectificationItem.due_date)
    buckets = db.session.execute(select(*[
        func.count().filter(late >= low, late <= high) if high else
        func.count().filter(late >= low) for low, high in AGEING])
        .where(_overdue(today), RectificationItem.institution_id.in_(ids))).one()
    return {"states": {s: states.get(s, 0) for s in ledger_rules.STATES},
            "ageing": [{"from": low, "to": high, "count": n}
                       for (low, high), n in zip(AGEING, buckets, strict=True)]}


def peers(view: View, limit: int = 20) -> list[dict]:
    """同类排名: per kind and level, the view's month, the best and the worst scores and
    the group's size and mean."""
    return cached("peers", view, lambda: _peers(view, limit))


@region_wide
def _peers(view: View, limit: int) -> list[dict]:
    rows = db.session.execute(
        select(Institution.kind, Institution.level, func.count(), func.avg(Assessment.total),
               func.max(Assessment.total), func.min(Assessment.total))
        .join(Institution, Institution.id == Assessment.institution_id)
        .where(Assessment.period == view.period, Assessment.kind.in_(COUNTING_KINDS),
               Assessment.status.in_(RANKED_STATUSES), Assessment.total.is_not(None),
               Assessment.institution_id.in_(institutions_in(view)))
        .group_by(Institution.kind, Institution.level)
        .order_by(Institution.kind, Institution.level).limit(limit)).all()
    return [{"kind": k, "level": lv, "institutions": n, "mean": round(float(mean), 2),
             "best": best, "worst": worst} for k, lv, n, mean, best, worst in rows]


# ------------------------------------------------------------------------ drill-down
def institution(institution_id: int, view: View, months: int = 12) -> dict | None:
    """One institution (None when the caller may not see it): the four perspectives of
    its latest score, its indicators' colours month by month, its points, measures and
    ledger items."""
    return cached("institution", view, lambda: _institution(institution_id, view, months),
                  institution_id)


def _institution(institution_id: int, view: View, months: int) -> dict | None:
    inst = db.session.execute(select(
        Institution.id, Institution.name, Institution.kind, Institution.level,
        Institution.district).where(Institution.id == institution_id)).one_or_none()
    if inst is None:
        return None
    assessments = db.session.execute(
        select(Assessment).where(Assessment.institution_id == inst.id,
                                 Assessment.kind.in_(COUNTING_KINDS),
                                 Assessment.total.is_not(None),
                                 Assessment.period_end <= view.end,
                                 Assessment.period.like("____-__"))
        .order_by(Assessment.period_end.desc(), Assessment.id.desc()).limit(months)
    ).scalars().all()[::-1]
    latest = assessments[-1] if assessments else None
    return {**inst._asdict(),
            "radar": dict(latest.perspectives) if latest else {},
            "score": latest.total if latest else None, "grade": latest.grade if latest else None,
            "heatmap": _heatmap(assessments),
            "points": _points_timeline(inst.id, view.year),
            "measures": _measures_of(inst.id), "items": _items_of(inst.id)}


def _measures_of(institution_id: int, limit: int = 20) -> list[dict]:
    return [{"id": id_, "measure": measure, "status": status, "at": at.date().isoformat()}
            for id_, measure, status, at in db.session.execute(
                select(Measure.id, Measure.measure, Measure.status, Measure.created_at)
                .where(Measure.institution_id == institution_id)
                .order_by(Measure.id.desc()).limit(limit))]


def _items_of(institution_id: int, limit: int = 50) -> list[dict]:
    today = today_local()
    return [{"id": id_, "number": number, "status": status, "due_date": due.isoformat(),
             "overdue": ledger_rules.is_overdue(status, due, today)}
            for id_, number, status, due in db.session.execute(
                select(RectificationItem.id, RectificationItem.number,
                       RectificationItem.status, RectificationItem.due_date)
                .where(RectificationItem.institution_id == institution_id)
                .order_by(RectificationItem.due_date).limit(limit))]


def _heatmap(assessments) -> dict:
    """Indicator colours over the periods: {periods, indicators, colours[indicator][period]}
    by saas.domain.scoring.score_indicator, each month's due indicators of its agreement's
    template; one query whatever the number of months."""
    from saas.domain.measurements import due_in
    from saas.domain.scoring import score_indicator
    from saas.domain.templates import FREQUENCIES
    from saas.services.scoring import rule_of, value_of

    periods = [a.period for a in assessments]
    if not assessments:
        return {"periods": [], "indicators": [], "colours": []}
    # each month's due template indicators beside the month's measurement of it (none:
    # no data); a year of a hospital's is ~300 rows. Plain Core rows, not through the ORM
    # (half the time): every row hangs on the ids of ``assessments``, read through the
    # tenant filter, and on PostgreSQL row-level security applies as ever.
    monthly = [f for f in FREQUENCIES if due_in(f, "month")]
    rows = db.session.connection().execute(select(
        Assessment.id.label("assessment_id"), Indicator.id, Indicator.code, Indicator.name,
        Indicator.perspective, Indicator.direction, Indicator.target,
        Indicator.warning, Indicator.zero, Indicator.max_points,
        Measurement.id.label("measurement_id"), Measurement.value, Measurement.not_applicable)
        .join(Agreement, Agreement.id == Assessment.agreement_id)
        .join(Indicator, Indicator.template_id == Agreement.template_id)
        .outerjoin(Measurement, (Measurement.assessment_id == Assessment.id)
                   & (Measurement.indicator_id == Indicator.id))
        .where(Assessment.id.in_([a.id for a in assessments]),
               Indicator.frequency.in_(monthly))).all()
    period_of = {a.id: a.period for a in assessments}
    rules: dict[int, object] = {}
    colours: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    for row in rows:
        rule = rules.get(row.id) or rules.setdefault(row.id, rule_of(row))
        measured = row if row.measurement_id is not None else None
        names[row.code] = row.name
        colours.setdefault(row.code, {})[period_of[row.assessment_id]] = score_indicator(
            rule, value_of(measured, row)).color
    codes = sorted(colours)
    return {"periods": periods, "indicators": [(c, names[c]) for c in codes],
            "colours": [[colours[c].get(p, "no_data") for p in periods] for c in codes]}


def _points_timeline(institution_id: int, year: int) -> list[dict]:
    lines = db.session.execute(
        select(PointsEntry.created_at, PointsEntry.points, PointsEntry.reason)
        .where(PointsEntry.institution_id == institution_id, PointsEntry.year == year)
        .order_by(PointsEntry.id)).all()
    total, out = 0.0, []
    for at, points, reason in lines:
        total += points
        out.append({"at": at.date().isoformat(), "points": points, "total": total,
                    "reason": reason})
    return out
