"""Set-based recompute of every scorecard of a region (平衡计分卡 at scale), and the
region's ranks.

:func:`recompute_region` gives every assessment of a region the total, grade and
perspective scores the per-assessment service :func:`saas.services.scoring.recompute`
would give it, in a few SQL statements instead of a few queries per assessment:

1. one pass over the region's measurements (parallel on PostgreSQL) scores each value
   in hundredths of a point with ``CASE`` expressions that give
   :func:`saas.domain.scoring.score_indicator`'s result from the same IEEE double
   arithmetic, then ``floor(x * 100 + 0.5)``, and sums earned and possible hundredths per
   assessment and perspective. The sums are whole numbers, so the order in which SQL adds
   them up does not matter;
2. per assessment, in integer arithmetic as the domain does it: perspective scores
   (earned / possible × 100, half up), the weighted mean of the perspectives with data
   (half up), the grade from the template's bands. Steps 1 and 2 are one statement,
   which keeps only the assessments whose total, grade or perspective hundredths differ
   (IS DISTINCT FROM) from what is stored: the pass's sums and the unchanged scorecards
   are never written;
3. assessments with a measurement of an indicator that is not due in their period, or
   not of their template (the pass counts every measurement), are summed again over
   their due indicators only;
4. one ``UPDATE … FROM`` writes the assessments that changed;
5. annual assessments, whose total combines the year's period totals and the findings'
   points, are recomputed by the per-assessment service;
6. the rank read model (saas.services.rank_model) is refreshed for the region.

This module is the orchestration only: the scoring rules in SQL are named expressions in
saas.services.scoring_sql, the planner settings in saas.services.pg_tuning, and the
region's ranks (never stored) in saas.services.ranks.

Measurements keep no score (the scorecard computes it when read), so nothing is written
per measurement. Everything runs in one transaction, in the tenant context of the
region (bureau scope), so PostgreSQL's row-level security applies as to any other
service.
"""

from __future__ import annotations

import time

from sqlalchemy import select, text

from saas.domain import scoring
from saas.extensions import db
from saas.services import audit, rank_model
from saas.services.base import require_region_bureau, transaction
from saas.services.pg_tuning import BULK, pass_settings, planner
from saas.services.scoring_sql import (
    RESULT_COLUMNS,
    UNKNOWN,
    Dialect,
    colour_counts,
    colour_sums,
    connection,
    perspective_hundredths,
    results,
    score_indicator,
)
from tenants.context import acting_as

PIDX = {p: n for n, p in enumerate(scoring.PERSPECTIVES)}
# Indicator frequencies as small integers, beside scoring_sql.PERIOD_KINDS: an indicator
# is due in a period when its frequency code <= the period's kind code.
FREQUENCIES = {"monthly": 0, "quarterly": 1, "annual": 2}
_TEMP = ("pact_bulk_res", "pact_bulk_fix")
def recompute_region(region_id: int) -> dict:
    """Recompute every scorecard (perspectives, total, grade) of the region's assessments;
    write what changed. Returns counts and timings.

    Runs as the current context when that is the region's bureau; with no context it acts
    for the region (jobs, commands)."""
    with acting_as(require_region_bureau(region_id)), transaction():
        stats = _Recompute(region_id).run()
        audit.record("scores.recomputed", object_type="Region", object_id=region_id,
                     after={k: v for k, v in stats.items() if k != "timings"})
    return stats


def _values_cte(name: str, columns: tuple[str, ...], types: tuple[str, ...],
                rows: list[tuple], prefix: str) -> tuple[str, dict]:
    """``name(columns) AS (VALUES …)`` with every value a typed bind parameter (doubles
    travel exactly, and the statement stays parallel-safe on PostgreSQL)."""
    params: dict = {}
    lines = []
    for r, row in enumerate(rows):
        cells = []
        for c, (value, sqltype) in enumerate(zip(row, types, strict=True)):
            key = f"{prefix}{r}_{c}"
            params[key] = value
            cells.append(f"CAST(:{key} AS {sqltype})")
        lines.append(f"({', '.join(cells)})")
    return f"{name}({', '.join(columns)}) AS (VALUES {', '.join(lines)})", params


PACK = 2**26
"""Earned and possible hundredths of a perspective share one double as earned × PACK +
possible while possible < PACK (671 088.64 points): below 2**53, exact."""
IND_COLUMNS = ("id", "tid", "fq", "pidx", "isbool", "mph", "sgn", "t", "z", "mp", "w")
IND_TYPES = ("INTEGER",) * 6 + ("DOUBLE PRECISION",) * 5
TPL_COLUMNS = ("id", "w0", "w1", "w2", "w3", "excellent", "pass_", "basic")
TPL_TYPES = ("INTEGER",) * 5 + ("DOUBLE PRECISION",) * 3


class _Recompute:
    def __init__(self, region_id: int):
        self.region_id = region_id
        db.session.flush()
        self.conn = connection()
        self.sql = Dialect(self.conn.dialect.name)
        self.timings: dict[str, float] = {}
        self.annual_count: int | None = None  # counted in step 2
        self.packed = False  # see _aggregate_sql

    def _timed(self, name: str, statement: str, params: dict | None = None):
        t = time.perf_counter()
        result = self.conn.execute(text(statement), {"r": self.region_id, **(params or {})})
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t
        return result

    def _temp(self, name: str) -> str:
        return f"CREATE TEMP TABLE {name}{' ON COMMIT DROP' if self.sql.pg else ''} AS"

    def _drop_temp(self) -> None:
        for table in _TEMP:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")

    def run(self) -> dict:
        t0 = time.perf_counter()
        self._drop_temp()
        stats = {"region_id": self.region_id, "assessments": 0, "assessments_updated": 0,
                 "summed_again": 0, "annual": 0}
        indicators, templates = self._indicator_params(), self._template_params()
        if templates and indicators:
            self._score_period_assessments(indicators, templates, stats)
        # annual assessments (the year's period totals and points): the per-assessment
        # service, which reads the period totals just written.
        t = time.perf_counter()
        if self.annual_count != 0:
            stats["annual"] = self._annual()
        self.timings["annual"] = time.perf_counter() - t
        t = time.perf_counter()  # which assessment speaks for each institution in a rank
        stats["ranked_changed"] = rank_model.refresh_region(self.conn, self.region_id)
        self.timings["rank_model"] = time.perf_counter() - t
        self.timings["total"] = time.perf_counter() - t0
        stats["timings"] = {k: round(v, 3) for k, v in self.timings.items()}
        return stats

    def _score_period_assessments(self, indicators: list, templates: list, stats: dict):
        """Steps 1-4 of the module docstring, for every non-annual assessment."""
        self._ind_cte, self._ind_params = _values_cte("ind", IND_COLUMNS, IND_TYPES,
                                                      indicators, "i")
        # an assessment has at most one measurement per indicator: its possible hundredths
        # in a perspective are at most the sum over the region's indicators
        most = max(sum(row[5] for row in indicators if row[3] == k) for k in range(4))
        self.packed = most < PACK
        self._tpl_cte, self._tpl_params = _values_cte("tpl", TPL_COLUMNS, TPL_TYPES,
                                                      templates, "t")
        with planner(self.conn, **pass_settings(self.conn)):
            self._timed("scorecards", f"{self._temp('pact_bulk_res')} {self._scorecards_sql()}",
                        {**self._ind_params, **self._tpl_params})
        stats["assessments"], self.annual_count = self._counts()
        with planner(self.conn, **BULK):
            t = time.perf_counter()
            stats["summed_again"] = self._sum_again_due_only()
            self.timings["summed_again"] = time.perf_counter() - t
            stats["assessments_updated"] = self._write(stats["assessments"])
        self._drop_temp()

    def _counts(self) -> tuple[int, int]:
        """The region's assessments: how many are of a period, how many annual. (Counted
        apart: the pass statement keeps only what changed, and counting its every row
        there would mean keeping them all.)"""
        every, annual = self.conn.execute(text(
            "SELECT count(*), coalesce(sum(CASE WHEN kind = 'annual' THEN 1 ELSE 0 END), 0)"
            " FROM assessments WHERE region_id = :r"), {"r": self.region_id}).one()
        return int(every) - int(annual), int(annual)

    def _aggregate_sql(self, due_only: str = "") -> str:
        """The measurement pass: per assessment, earned (e) and possible (p) hundredths per
        perspective, the least and greatest template of its measurements' indicators and
        their greatest frequency.
        ``due_only``: the ids of assessments to sum over their due indicators only.

        Where the hundredths allow it (``self.packed``), a perspective's earned and
        possible hundredths are summed as one double, earned × PACK + possible: whole
        numbers below 2**53 add exactly in any order, and one sum instead of two is a
        tenth of the pass."""
        sql = self.sql
        sums = []
        for k in range(4):
            if self.packed:  # NULL, so not summed, when there is no data
                both = f"({score_indicator(sql)}) * {sql.f(PACK)} + i.mph"
                sums.append(f"sum({both}) FILTER (WHERE i.pidx = {k}) AS ep{k}")
                continue
            sums += [f"sum({score_indicator(sql)}) FILTER (WHERE i.pidx = {k}) AS e{k}",
                     f"sum(i.mph) FILTER (WHERE i.pidx = {k} AND NOT {sql.no_data()}) AS p{k}"]
        due = ""
        if due_only:
            due = (" JOIN pact_bulk_res r ON r.id = m.assessment_id AND i.tid = r.template_id"
                   " JOIN assessments a ON a.id = m.assessment_id"
                   f" AND i.fq <= {self.sql.period_kind('a.period')}"
                   f" WHERE m.assessment_id IN ({due_only}) AND")
        summed = f"""
            SELECT m.assessment_id, {', '.join(sums)}, {colour_sums(sql)},
                   min(i.tid) AS tidmin, max(i.tid) AS tidmax, max(i.fq) AS fqmax
            FROM measurements m JOIN ind i ON i.id = m.indicator_id{due or ' WHERE'}
            m.region_id = :r
            GROUP BY m.assessment_id"""
        if not self.packed:
            return summed
        unpacked = []
        for k in range(4):
            earned = sql.whole(f"ep{k} / {sql.f(PACK)}")
            unpacked += [f"{earned} AS e{k}", f"CAST(ep{k} AS BIGINT) - {earned} * {PACK} AS p{k}"]
        return (f"SELECT assessment_id, {', '.join(unpacked)}, reds, yellows, tidmin,"
                f" tidmax, fqmax FROM ({summed}) AS packed{sql.fence}")

    def _scorecards_sql(self) -> str:
        """Steps 1 and 2 in one statement (the pass's sums are never written): per
        non-annual assessment of the region its results (RESULT_COLUMNS), kept only where
        they differ from what is stored or the assessment must be summed again
        (``again``)."""
        # (monthly indicators are due in every period: the period is only read otherwise)
        odd = ("NOT (g.tidmin = ag.template_id AND g.tidmax = ag.template_id"
               f" AND (g.fqmax = 0 OR g.fqmax <= {self.sql.period_kind('a.period')}))")
        scored = f"""
              SELECT a.id, ag.template_id, {perspective_hundredths('g.')},
                     {colour_counts('g.')},
                     CASE WHEN a.kind = 'annual' THEN 1 ELSE 0 END AS annual,
                     CASE WHEN g.tidmin IS NOT NULL AND {odd} THEN 1 ELSE 0 END AS again,
                     t.w0, t.w1, t.w2, t.w3, t.excellent, t.pass_, t.basic,
                     {', '.join(f'a.{c} AS old_{c}' for c in RESULT_COLUMNS)}
              FROM assessments a
              JOIN agreements ag ON ag.id = a.agreement_id
              JOIN tpl t ON t.id = ag.template_id
              LEFT JOIN ({self._aggregate_sql()}) AS g ON g.assessment_id = a.id
              WHERE a.region_id = :r"""
        sql = self.sql
        changed = sql.results_differ("", "old_")
        return f"""
            WITH {self._tpl_cte}, {self._ind_cte}
            SELECT id, template_id, again, {', '.join(RESULT_COLUMNS)}
            FROM ({results(sql, scored)}) AS x
            WHERE annual = 0 AND (again = 1 OR {changed})"""

    def _sum_again_due_only(self) -> int:
        """Step 3: assessments with measurements of indicators not due in their period or
        not of their template get the scores of their due indicators only."""
        ids = [row[0] for row in self.conn.execute(text(
            "SELECT id FROM pact_bulk_res WHERE again = 1"))]
        if not ids:
            return 0
        listed = ", ".join(str(int(i)) for i in ids)
        self.conn.execute(text(f"{self._temp('pact_bulk_fix')} WITH {self._ind_cte}"
                               f" {self._aggregate_sql(due_only=listed)}"),
                          {"r": self.region_id, **self._ind_params})
        fixed = f"""
            SELECT r.id, {perspective_hundredths('f.')}, {colour_counts('f.')}, t.w0, t.w1,
                   t.w2, t.w3, t.excellent, t.pass_, t.basic
            FROM pact_bulk_res r JOIN tpl t ON t.id = r.template_id
            LEFT JOIN pact_bulk_fix f ON f.assessment_id = r.id
            WHERE r.id IN ({listed})"""
        self.conn.execute(text(f"""
            UPDATE pact_bulk_res SET {_assign("x.")}
            FROM (WITH {self._tpl_cte} {results(self.sql, fixed)}) AS x
            WHERE pact_bulk_res.id = x.id"""), self._tpl_params)
        return len(ids)

    def _write(self, assessments: int) -> int:
        """Step 4: one UPDATE of the assessments whose results differ from what is stored.
        When they are few (a day's corrections), PostgreSQL gets them by id as well: an
        index look-up each, where the join alone scans the whole table, whose size
        row-level security hides from the planner. Many (a first scoring) join faster."""
        sql = self.sql
        ids = [row[0] for row in self.conn.execute(text(
            "SELECT id FROM pact_bulk_res"
            f" LIMIT {assessments // 10 + 1}"))]
        if not ids:
            return 0
        few = len(ids) <= assessments // 10
        changed = sql.results_differ("r.", "assessments.")
        named = " AND assessments.id = ANY(CAST(:ids AS INTEGER[]))" if sql.pg and few else ""
        result = self._timed("write_assessments", f"""
            UPDATE assessments SET {_assign("r.")}
            FROM pact_bulk_res r
            WHERE assessments.id = r.id{named} AND ({changed})""", {"ids": ids})
        return _rowcount(self.conn, result)

    # ------------------------------------------------------------------ parameters

    def _indicator_params(self) -> list[tuple]:
        """Per indicator of the region: _indicator_row()."""
        rows = self.conn.execute(text(
            "SELECT id, template_id, frequency, perspective, direction, target, zero,"
            " max_points, warning FROM indicators WHERE region_id = :r"),
            {"r": self.region_id})
        return [_indicator_row(*row) for row in rows]

    def _template_params(self) -> list[tuple]:
        """Per template: the weights (in hundredths) and grade bands saas.services.scoring
        would use."""
        out = []
        rows = self.conn.execute(text("SELECT id, settings FROM templates WHERE region_id = :r"),
                                 {"r": self.region_id})
        for id_, settings in rows:
            settings = _json(settings) or {}
            weights = settings.get("perspective_weights") or scoring.DEFAULT_WEIGHTS
            bands = scoring.GradeBands.from_mapping(settings.get("grade_bands"))
            out.append((id_, *(scoring.hundredths(float(weights.get(p, 0)))
                               for p in scoring.PERSPECTIVES),
                        float(bands.excellent), float(bands.pass_), float(bands.basic)))
        return out

    def _annual(self) -> int:
        """Annual assessments through saas.services.scoring.recompute (it reads the period
        totals just written and the year's findings)."""
        from saas.models import Assessment
        from saas.services.scoring import recompute

        db.session.expire_all()
        annual = db.session.execute(
            select(Assessment).where(Assessment.region_id == self.region_id,
                                     Assessment.kind == "annual")
            .order_by(Assessment.id)).scalars().all()
        for assessment in annual:
            recompute(assessment)
        db.session.flush()
        return len(annual)


def _indicator_row(id_, tid, frequency, perspective, direction, target, zero, mp,
                   warning=None) -> tuple:
    """An indicator as the row of ``ind`` (IND_COLUMNS): template, frequency and perspective
    codes, boolean flag, max points in hundredths, the lines oriented exactly as
    scoring._oriented() orients them, computed here in Python so that SQL gets the very
    same doubles."""
    mp, fq = float(mp), FREQUENCIES.get(frequency, UNKNOWN)
    head = (id_, tid, fq, PIDX[perspective], int(direction == "boolean"),
            scoring.hundredths(mp))
    if direction == "boolean":
        return (*head, 1.0, None, None, mp, None)
    sign = 1.0 if direction == "lower_better" else -1.0
    t = float(target)
    z = None if zero is None else sign * (float(zero) - t)
    z = None if z is not None and z <= 0 else z  # scored as no zero line
    w = None if warning is None else sign * (float(warning) - t)
    return (*head, sign, t, z, mp, w)


def _assign(source: str) -> str:
    """``total = r.total, grade = r.grade, …``: every result column from ``source``."""
    return ", ".join(f"{c} = {source}{c}" for c in RESULT_COLUMNS)


def _rowcount(conn, result) -> int:
    if conn.dialect.name == "postgresql":
        return max(result.rowcount, 0)
    # Python's sqlite3 reports no rowcount for a statement that starts with WITH.
    return int(conn.exec_driver_sql("SELECT changes()").scalar())


def _json(value):
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value
