"""Set-based recompute of every scorecard and rank of a region (平衡计分卡 at scale).

:func:`recompute_region` gives every assessment of a region the total, grade and
perspective scores the per-assessment service :func:`saas.services.scoring.recompute`
would give it, and the ranks its scorecard shows, in four SQL statements instead of a
few queries per assessment:

1. one pass over the region's measurements (parallel on PostgreSQL) scores each value
   with ``CASE`` expressions that mirror :func:`saas.domain.scoring.score_indicator`
   operation for operation (same IEEE double arithmetic, so the same bits) and sums
   earned and possible points per assessment and perspective;
2. per assessment: perspective scores (earned / possible × 100 over scored indicators),
   the weighted mean over perspectives with data (``scoring._weighted_total``, term by
   term), both rounded to 2 decimals exactly as Python's ``round`` does;
3. the few assessments the pass cannot settle are summed again, in the template's order
   and over the indicators due in their period only (see Exactness);
4. grades from the template's bands, ranks (competition ranking, ``RANK``) of the totals
   per period and rank group (``saas.domain.barometer.RANK_GROUPS``: self with self, the
   official inspections together, annual with annual, mock never) in the region and in
   the peer group (同级同类: institution kind and level), counting per institution its
   latest submitted or finalized assessment, as ``saas.services.scoring.scorecard``
   does; one ``UPDATE … FROM`` writes the assessments whose results differ. Annual
   assessments, whose total combines the year's period totals and the findings' points,
   are then recomputed by the per-assessment service and ranked among themselves.

Measurements keep no score (the scorecard computes it when read), so nothing is
written per measurement, and assessments sit on half-full pages, so the rewrite of
ranks that one changed total sets off is a HOT update.

Exactness: the one liberty SQL takes is the order in which it adds up a perspective's
scores, which can change the last bit of a sum; that matters only when a value lies
within 1e-6 of a rounding tie (x.xx5). Those assessments (about 1 % on realistic data)
are summed again in the template's order (PostgreSQL: ordered aggregates; SQLite: the
reference itself), as are those with a measurement of an indicator that is not due in
their period or not of their template (the pass counts every measurement). Results are
the reference's, to the bit.

Everything runs in one transaction, in the tenant context of the region (bureau scope),
so PostgreSQL's row-level security applies as to any other service.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from types import SimpleNamespace

from sqlalchemy import select, text

from saas.domain import scoring
from saas.domain.barometer import RANK_GROUPS
from saas.errors import Forbidden
from saas.extensions import db
from saas.services import audit
from saas.services.base import transaction
from saas.services.scoring import RANKED_STATUSES
from tenants.context import TenantContext, acting_as, current

PIDX = {p: n for n, p in enumerate(scoring.PERSPECTIVES)}
# Period kinds and indicator frequencies as small integers: an indicator is due in a
# period when its frequency code <= the period's kind code (saas.domain.measurements).
PERIOD_KINDS = {"month": 0, "quarter": 1, "year": 2}
FREQUENCIES = {"monthly": 0, "quarterly": 1, "annual": 2}
UNKNOWN = 3
TIE_BAND = 1e-6
"""A value whose ×100 is within this of a .5 is a near tie (see the module docstring)."""
_TEMP = ("pact_bulk_agg", "pact_bulk_res")


def _connection():
    """The session's connection, its transaction's row-level security settings made to
    match the current tenant context first (tenants.isolation does that on every
    Session.execute; the Core statements below run on the connection itself)."""
    db.session.execute(text("SELECT 1"))
    return db.session.connection()


def _check_scope(region_id: int) -> TenantContext:
    ctx = current()
    if ctx is not None and (ctx.region_id != region_id or not ctx.is_bureau):
        raise Forbidden("只有本统筹区医保局可以重算全区评分与排名")
    return ctx or TenantContext(region_id=region_id)


def recompute_region(region_id: int) -> dict:
    """Recompute every scorecard (perspectives, total, grade) and rank of the region's
    assessments; write what changed. Returns counts and timings.

    Runs as the current context when that is the region's bureau; with no context it acts
    for the region (jobs, commands)."""
    with acting_as(_check_scope(region_id)), transaction():
        stats = _Recompute(region_id).run()
        audit.record("scores.recomputed", object_type="Region", object_id=region_id,
                     after={k: v for k, v in stats.items() if k != "timings"})
    return stats


def refresh_ranks(region_id: int, periods: list[str] | None = None) -> int:
    """Re-rank the stored totals (all periods, or the given ones) without rescoring, e.g.
    after single assessments were recomputed. Returns how many assessments changed."""
    with acting_as(_check_scope(region_id)), transaction():
        return _write_ranks(_connection(), region_id, periods)


class _Sql:
    """The spellings that differ between PostgreSQL and SQLite, and the shared
    expressions (alias ``m`` for measurements, ``i`` for the indicator parameters)."""

    def __init__(self, dialect: str):
        self.pg = dialect == "postgresql"
        self.float = "DOUBLE PRECISION"
        self.zero = "CAST(0 AS DOUBLE PRECISION)"
        self.hundred = "CAST(100 AS DOUBLE PRECISION)"
        # grouping only needs equality: bytewise comparison is enough, and fast
        self.collate_c = ' COLLATE "C"' if self.pg else ""

    def f(self, n: float) -> str:
        return f"CAST({n} AS DOUBLE PRECISION)"

    def distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.pg else f"{a} IS NOT {b}"

    def least(self, *args: str) -> str:
        return f"{'LEAST' if self.pg else 'min'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'GREATEST' if self.pg else 'max'}({', '.join(args)})"

    def floor(self, x: str) -> str:
        # only used on values >= 0, where truncation is the floor
        return f"floor({x})" if self.pg else f"CAST(CAST({x} AS INTEGER) AS REAL)"

    def round2(self, x: str) -> str:
        """Python's ``round(x, 2)`` for 0 <= x <= 100, exactly.

        SQLite: Python's own round(), registered on the connection. PostgreSQL: the
        decimal nearest to the double's *exact* binary value, ties to even, decided with
        error-free float arithmetic (numeric casts would round the double to 15 digits
        first and round ties away from zero): k = floor(100x); the sign of 200x - (2k+1)
        comes from splitting 8x into two 26-bit halves (Veltkamp), whose products by 25
        are exact, and a difference that is exact near zero (Sterbenz). Away from a tie
        the nearest whole number of hundredths is unambiguous, and dividing it by 100 gives
        the double nearest to that decimal, as Python's round() does."""
        if not self.pg:
            return f"pact_round2({x})"
        k = self.floor(f"{x} * {self.hundred}")
        y = f"({x} * {self.f(8)})"
        big = f"({self.f(134217729)} * {y})"
        hi = f"({big} - ({big} - {y}))"
        lo = f"({y} - {hi})"
        odd = f"({self.f(2)} * {k} + {self.f(1)})"
        side = f"((({self.f(25)} * {hi}) - {odd}) + {self.f(25)} * {lo})"
        even = f"(CASE WHEN {k} - {self.f(2)} * floor({k} / {self.f(2)}) = 0 THEN {k}" \
               f" ELSE {k} + {self.f(1)} END)"
        plain = f"floor({x} * {self.hundred} + 0.5) / {self.hundred}"
        return (f"(CASE WHEN {x} IS NULL THEN NULL WHEN NOT {self.near_tie(x)} THEN {plain}"
                f" WHEN {side} < 0 THEN {k} / {self.hundred}"
                f" WHEN {side} > 0 THEN ({k} + {self.f(1)}) / {self.hundred}"
                f" ELSE {even} / {self.hundred} END)")

    def near_tie(self, x: str) -> str:
        return (f"({x} IS NOT NULL AND abs({x} * {self.hundred} - "
                f"{self.floor(f'{x} * {self.hundred}')} - 0.5) < {TIE_BAND})")

    def json_text(self, pairs: list[tuple[str, str]]) -> str:
        """The JSON text Python's json.dumps() writes for ``{key: float or None}``, e.g.
        ``{"financial": 100.0, "patient": null}``: the SQLAlchemy JSON column's own
        spelling, so stored values compare as text, and equal results read back equal."""
        def number(x: str) -> str:
            if not self.pg:  # SQLite already spells 100.0 as Python does
                return f"coalesce(CAST({x} AS TEXT), 'null')"
            # values are hundredths in [0, 100]: never an exponent; whole ones get ".0"
            return (f"coalesce(CASE WHEN {x} = floor({x}) THEN CAST({x} AS TEXT) || '.0'"
                    f" ELSE CAST({x} AS TEXT) END, 'null')")
        body = " || ', ' || ".join(f"'\"{k}\": ' || {number(v)}" for k, v in pairs)
        return f"('{{' || {body} || '}}')"

    def period_kind(self, period: str) -> str:
        return (f"CASE WHEN length({period}) = 4 THEN {PERIOD_KINDS['year']}"
                f" WHEN upper({period}) LIKE '____-Q_' THEN {PERIOD_KINDS['quarter']}"
                f" WHEN length({period}) = 7 THEN {PERIOD_KINDS['month']} ELSE {UNKNOWN} END")

    def no_data(self, m: str = "m", i: str = "i") -> str:
        """Missing or not applicable. saas.services.scoring.value_of reads a boolean
        indicator's value with bool(), so NaN is missing only for numeric indicators."""
        nan = (f" OR ({i}.isbool = 0 AND {m}.value = CAST('NaN' AS DOUBLE PRECISION))"
               if self.pg else "")
        return f"({m}.not_applicable OR {m}.value IS NULL{nan})"

    def _d(self, m: str, i: str) -> str:
        return f"({i}.sgn * ({m}.value - {i}.t))"

    def _linear(self, m: str, i: str) -> str:
        d = self._d(m, i)
        return self.least(f"{i}.mp", self.greatest(self.zero, f"{i}.mp * ({i}.z - {d}) / {i}.z"))

    def score(self, m: str = "m", i: str = "i") -> str:
        """score_indicator(): None unless scored; full / 0 / linear, as the reference."""
        d = self._d(m, i)
        return (f"CASE WHEN {self.no_data(m, i)} THEN NULL"
                f" WHEN {i}.isbool = 1 THEN CASE WHEN {m}.value <> 0 THEN {i}.mp"
                f" ELSE {self.zero} END"
                f" WHEN {d} <= 0 THEN {i}.mp"
                f" WHEN {i}.z IS NULL OR {i}.z <= 0 OR {d} >= {i}.z THEN {self.zero}"
                f" ELSE {self._linear(m, i)} END")


@contextlib.contextmanager
def _planner(conn, **settings: str):
    """PostgreSQL planner settings for the statements inside, restored afterwards.

    Row-level security predicates (``current_setting(...)``) defeat the planner's row
    estimates: it expects a handful of rows where a region has millions, and picks nested
    loops and sorts that are quadratic or spill at that size. These statements are bulk
    by nature, so they are planned with hash joins and hash aggregation."""
    if conn.dialect.name != "postgresql":
        yield
        return
    before = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in settings}
    for name, value in settings.items():
        conn.exec_driver_sql(f"SET LOCAL {name} = {value}")
    try:
        yield
    finally:
        for name, value in before.items():
            conn.exec_driver_sql(f"SET LOCAL {name} = {value}")


BULK = {"enable_nestloop": "off", "enable_mergejoin": "off", "jit": "off"}
# JIT compilation of these wide expressions costs more than it saves, except in the one
# pass over millions of measurements, where optimised and inlined code pays for itself.
PASS = {"enable_nestloop": "off", "enable_sort": "off", "jit_optimize_above_cost": "0",
        "jit_inline_above_cost": "0"}


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


IND_COLUMNS = ("id", "tid", "fq", "pidx", "isbool", "sgn", "t", "w", "z", "mp", "pos")
TPL_COLUMNS = ("id", "w0", "w1", "w2", "w3", "excellent", "pass_", "basic")


class _Recompute:
    def __init__(self, region_id: int):
        self.region_id = region_id
        db.session.flush()
        self.conn = _connection()
        self.sql = _Sql(self.conn.dialect.name)
        self.timings: dict[str, float] = {}

    def _timed(self, name: str, statement: str, params: dict | None = None):
        t = time.perf_counter()
        result = self.conn.execute(text(statement), {"r": self.region_id, **(params or {})})
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t
        return result

    def _rowcount(self, result) -> int:
        return _rowcount(self.conn, result)

    def _temp(self, name: str) -> str:
        return f"CREATE TEMP TABLE {name}{' ON COMMIT DROP' if self.sql.pg else ''} AS"

    def run(self) -> dict:
        t0 = time.perf_counter()
        self._prepare()
        stats = {"region_id": self.region_id, "assessments": 0, "measurements": 0,
                 "assessments_updated": 0, "summed_again": 0, "annual": 0,
                 "annual_ranks_updated": 0}
        indicators, templates = self._indicator_params(), self._template_params()
        if templates and indicators:
            self._score_period_assessments(indicators, templates, stats)
        else:  # nothing to score: the stored totals are ranked as they are
            stats["annual_ranks_updated"] = _write_ranks(self.conn, self.region_id)
        # annual assessments (the year's period totals and points): the per-assessment
        # service, then their ranks (an annual assessment ranks among annual ones only).
        t = time.perf_counter()
        stats["annual"] = self._annual()
        if stats["annual"]:
            stats["annual_ranks_updated"] = _write_ranks(self.conn, self.region_id,
                                                         kinds=("annual",))
        self.timings["annual"] = time.perf_counter() - t
        self.timings["total"] = time.perf_counter() - t0
        stats["timings"] = {k: round(v, 3) for k, v in self.timings.items()}
        return stats

    def _prepare(self) -> None:
        if self.sql.pg:
            self.conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        else:
            self.conn.connection.driver_connection.create_function(
                "pact_round2", 1, lambda x: None if x is None else round(x, 2),
                deterministic=True)
        for table in _TEMP:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")

    def _score_period_assessments(self, indicators: list, templates: list, stats: dict):
        """Steps 1-4 of the module docstring, for every non-annual assessment."""
        sql = self.sql
        self._ind_cte, ind_params = _values_cte(
            "ind", IND_COLUMNS, ("INTEGER",) * 5 + (sql.float,) * 5 + ("INTEGER",),
            indicators, "i")
        self._ind_params = ind_params
        tpl_cte, tpl_params = _values_cte(
            "tpl", TPL_COLUMNS, ("INTEGER",) + (sql.float,) * 7, templates, "t")
        # 1. the measurement pass: per assessment and perspective the earned and possible
        #    points, and which templates and frequencies the measurements are of.
        with _planner(self.conn, **PASS):
            self._timed("score_and_aggregate",
                        f"{self._temp('pact_bulk_agg')} {self._aggregate_sql()}", ind_params)
        # 2. scorecards, with what ranking needs and the stored results.
        with _planner(self.conn, **BULK):
            self._timed("scorecards", self._scorecards_sql(tpl_cte), tpl_params)
        # 3. near ties and measurements of indicators not due: summed again, in order.
        t = time.perf_counter()
        with _planner(self.conn, jit="off"):
            stats["summed_again"] = self._exact()
        self.timings["summed_again"] = time.perf_counter() - t
        # 4. grades and ranks; write the assessments whose results changed.
        with _planner(self.conn, **BULK):
            result = self._timed("write_assessments", self._write_assessments_sql())
        stats["assessments_updated"] = self._rowcount(result)
        counts = self.conn.execute(text(
            "SELECT count(*), coalesce(sum(n), 0) FROM pact_bulk_res")).one()
        stats["assessments"], stats["measurements"] = int(counts[0]), int(counts[1])
        for table in _TEMP:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")

    def _aggregate_sql(self) -> str:
        """The measurement pass: per assessment, earned (e) and possible (p) points per
        perspective, the count, and the templates and frequencies of the indicators."""
        sql = self.sql
        sums = []
        for k in range(4):
            sums += [f"sum({sql.score()}) FILTER (WHERE i.pidx = {k}) AS e{k}",
                     f"sum(i.mp) FILTER (WHERE i.pidx = {k} AND NOT {sql.no_data()}) AS p{k}"]
        return f"""
            WITH {self._ind_cte}
            SELECT m.assessment_id, {', '.join(sums)}, count(*) AS n,
                   min(i.tid) AS tmin, max(i.tid) AS tmax, max(i.fq) AS fqmax
            FROM measurements m JOIN ind i ON i.id = m.indicator_id
            WHERE m.region_id = :r
            GROUP BY m.assessment_id"""

    def _scorecards_sql(self, tpl_cte: str) -> str:
        """The region's non-annual assessments: template and period kind (what is due),
        perspectives and total rounded as the reference rounds them, whether they must be
        summed again (``again``), what ranking needs, and the stored results."""
        sql = self.sql
        c = sql.collate_c
        raw = [f"CASE WHEN g.p{k} > 0 THEN g.e{k} / g.p{k} * {sql.hundred} END AS r{k}"
               for k in range(4)]
        total = _weighted_total(
            sql, "t.w{k}", "(CASE WHEN g.p{k} > 0 THEN g.e{k} / g.p{k} * " + sql.hundred + " END)")
        ties = " OR ".join(sql.near_tie(col) for col in ("r0", "r1", "r2", "r3", "rt"))
        # a measurement of an indicator of another template, or not due in this period
        odd = "NOT (tmin = template_id AND tmax = template_id AND fqmax <= pk AND pk <= 2)"
        keep = ("template_id", "pk", "excellent", "pass_", "basic", "w0", "w1", "w2", "w3",
                "n", "institution_id", "period", "grp", "ranked", "ikind", "lvl",
                "old_total", "old_grade", "old_rr", "old_rp", "old_ptext")
        return f"""
            {self._temp('pact_bulk_res')}
            WITH {tpl_cte},
            z AS MATERIALIZED (
              SELECT a.id, ag.template_id, {sql.period_kind('a.period')} AS pk,
                     t.excellent, t.pass_, t.basic, t.w0, t.w1, t.w2, t.w3,
                     coalesce(g.n, 0) AS n, g.tmin, g.tmax, g.fqmax, {', '.join(raw)},
                     {total} AS rt,
                     a.institution_id, a.period{c} AS period, {_rank_group('a.kind')} AS grp,
                     CASE WHEN a.status IN ({_RANKED}) THEN 1 ELSE 0 END AS ranked,
                     i.kind{c} AS ikind, NULLIF(i.level, ''){c} AS lvl,
                     a.total AS old_total, a.grade AS old_grade, a.rank_region AS old_rr,
                     a.rank_peer AS old_rp, CAST(a.perspectives AS TEXT) AS old_ptext
              FROM assessments a
              JOIN agreements ag ON ag.id = a.agreement_id
              JOIN institutions i ON i.id = a.institution_id
              JOIN tpl t ON t.id = ag.template_id
              LEFT JOIN pact_bulk_agg g ON g.assessment_id = a.id
              WHERE a.region_id = :r AND a.kind <> 'annual')
            SELECT id, {', '.join(f'{sql.round2(f"r{k}")} AS p{k}' for k in range(4))},
                   {sql.round2('rt')} AS total,
                   CASE WHEN n > 0 AND ({odd} OR {ties}) THEN 1 ELSE 0 END AS again,
                   {', '.join(keep)}
            FROM z"""

    def _only_representatives(self) -> bool:
        """Whether every assessment to rank is its institution's only one of the period and
        rank group, and submitted or finalized (then _rank_ctes(simple=True) applies)."""
        return not self.conn.execute(text("""
            SELECT 1 FROM pact_bulk_res WHERE grp IS NOT NULL AND total IS NOT NULL
            GROUP BY institution_id, period, grp
            HAVING count(*) > 1 OR min(ranked) = 0 LIMIT 1
            """)).first()

    def _write_assessments_sql(self) -> str:
        """Grades, ranks, and one UPDATE of the assessments whose results differ from what
        is stored (the snapshot in pact_bulk_res: unchanged rows are never joined)."""
        sql = self.sql
        ptext = sql.json_text([(p, f"p{k}") for p, k in PIDX.items()])
        grade = ("CASE WHEN total IS NULL THEN NULL WHEN total >= excellent THEN 'excellent'"
                 " WHEN total >= pass_ THEN 'pass' WHEN total >= basic THEN 'basic'"
                 " ELSE 'fail' END")
        if self._only_representatives():
            # plain RANK()s, in the same scan (rows without a rank fall in partitions of
            # their own, whose numbers are dropped)
            ranked = "grp IS NOT NULL AND total IS NOT NULL"
            region = "period, grp, total IS NULL"
            ranks = (f"CASE WHEN {ranked} THEN RANK() OVER (PARTITION BY {region}"
                     " ORDER BY total DESC) END AS rank_region,"
                     f" CASE WHEN {ranked} THEN RANK() OVER (PARTITION BY {region}, ikind, lvl"
                     " ORDER BY total DESC) END AS rank_peer")
            source = f"SELECT {', '.join(_WRITE_COLUMNS)}, {ranks} FROM pact_bulk_res"
        else:
            source = (f"WITH {_rank_ctes('pact_bulk_res')} SELECT g.*, ranks.rank_region,"
                      " ranks.rank_peer FROM pact_bulk_res g LEFT JOIN ranks ON ranks.id = g.id")
        changed = " OR ".join(
            [sql.distinct("total", "old_total"), sql.distinct("grade", "old_grade"),
             sql.distinct("rank_region", "old_rr"), sql.distinct("rank_peer", "old_rp"),
             sql.distinct("ptext", "old_ptext")])
        return f"""
            WITH f AS MATERIALIZED (
              SELECT id, total, grade, ptext, rank_region, rank_peer FROM (
                SELECT id, total, {grade} AS grade, {ptext} AS ptext, rank_region, rank_peer,
                       old_total, old_grade, old_rr, old_rp, old_ptext
                FROM ({source}) AS r) AS g
              WHERE {changed})
            UPDATE assessments SET total = f.total, grade = f.grade,
                                   perspectives = {'CAST(f.ptext AS JSON)' if sql.pg
                                                   else 'f.ptext'},
                                   rank_region = f.rank_region, rank_peer = f.rank_peer
            FROM f WHERE assessments.id = f.id"""

    # ------------------------------------------------------------------ parameters

    def _indicator_params(self) -> list[tuple]:
        """Per indicator: template, frequency and perspective codes, boolean flag, and the
        lines oriented exactly as scoring._oriented() orients them, computed here in
        Python so that SQL gets the very same doubles."""
        rows = self.conn.execute(text(
            "SELECT id, template_id, frequency, perspective, direction, target, warning,"
            " zero, max_points FROM indicators WHERE region_id = :r"
            " ORDER BY template_id, position, id"), {"r": self.region_id})
        out = []
        for pos, (id_, tid, frequency, perspective, direction, target, warning, zero,
                  mp) in enumerate(rows):
            mp = float(mp)
            head = (id_, tid, FREQUENCIES.get(frequency, UNKNOWN), PIDX[perspective])
            if direction == "boolean":
                out.append((*head, 1, 1.0, None, None, None, mp, pos))
                continue
            sign = 1.0 if direction == "lower_better" else -1.0
            t = float(target)
            w = None if warning is None else sign * (float(warning) - t)
            z = None if zero is None else sign * (float(zero) - t)
            out.append((*head, 0, sign, t, w, z, mp, pos))
        return out

    def _template_params(self) -> list[tuple]:
        """Per template: the weights and grade bands saas.services.scoring would use."""
        self._settings: dict[int, dict] = {}
        out = []
        rows = self.conn.execute(text("SELECT id, settings FROM templates WHERE region_id = :r"),
                                 {"r": self.region_id})
        for id_, settings in rows:
            settings = _json(settings) or {}
            self._settings[id_] = settings
            weights = settings.get("perspective_weights") or scoring.DEFAULT_WEIGHTS
            bands = scoring.GradeBands.from_mapping(settings.get("grade_bands"))
            out.append((id_, *(float(weights.get(p, 0)) for p in scoring.PERSPECTIVES),
                        float(bands.excellent), float(bands.pass_), float(bands.basic)))
        return out

    # ------------------------------------------------------------------ exact paths

    def _exact(self) -> int:
        """The assessments marked ``again``: perspectives and totals from the due
        indicators only, adding up each perspective's scores in the template's order as the
        reference does. PostgreSQL: in SQL, with ordered aggregates; SQLite (no ordered
        aggregates before 3.44): with saas.services.scoring.score_values itself."""
        if self.sql.pg:
            return self._exact_sql()
        return self._exact_python()

    def _exact_sql(self) -> int:
        sql = self.sql
        # an assessment with no due indicator measured has no scores at all
        self.conn.exec_driver_sql("UPDATE pact_bulk_res SET p0 = NULL, p1 = NULL, p2 = NULL,"
                                  " p3 = NULL, total = NULL WHERE again = 1")
        raw = ", ".join(f"max(CASE WHEN pidx = {k} AND p > 0 THEN e / p * {sql.hundred} END)"
                        f" AS r{k}" for k in range(4))
        result = self.conn.execute(text(f"""
            WITH {self._ind_cte},
            s AS (
              SELECT r.id, i.pidx, sum({sql.score()} ORDER BY i.pos) AS e,
                     sum(i.mp ORDER BY i.pos) FILTER (WHERE NOT {sql.no_data()}) AS p
              FROM pact_bulk_res r
              JOIN measurements m ON m.assessment_id = r.id
              JOIN ind i ON i.id = m.indicator_id AND i.tid = r.template_id AND i.fq <= r.pk
              WHERE r.again = 1 AND r.pk <= 2 AND m.region_id = :r
              GROUP BY r.id, i.pidx),
            x AS (SELECT id, {raw} FROM s GROUP BY id),
            y AS MATERIALIZED (
              SELECT x.*, {_weighted_total(sql, "r.w{k}", "x.r{k}")} AS rt
              FROM x JOIN pact_bulk_res r ON r.id = x.id)
            UPDATE pact_bulk_res
            SET {', '.join(f'p{k} = {sql.round2(f"y.r{k}")}' for k in range(4))},
                total = {sql.round2('y.rt')}
            FROM y WHERE pact_bulk_res.id = y.id AND pact_bulk_res.again = 1"""), {"r": self.region_id, **self._ind_params})
        return self._rowcount(result)

    def _exact_python(self) -> int:
        from saas.services.scoring import DueIndicators, score_values

        keys = {row[0]: (row[1], row[2]) for row in self.conn.execute(text(
            "SELECT id, template_id, pk FROM pact_bulk_res WHERE again = 1"))}
        if not keys:
            return 0
        measured: dict[int, dict] = defaultdict(dict)
        listed = ", ".join(str(int(i)) for i in keys)
        for aid, ind, value, na in self.conn.execute(text(
                "SELECT assessment_id, indicator_id, value, not_applicable FROM measurements"
                f" WHERE region_id = :r AND assessment_id IN ({listed})"), {"r": self.region_id}):
            measured[aid][ind] = SimpleNamespace(value=value, not_applicable=na)
        due_of = self._due_indicators()
        updates = []
        for aid, (template_id, pk) in keys.items():
            indicators = due_of(template_id, pk)
            card = score_values(DueIndicators(indicators, {}, self._settings[template_id]),
                                measured[aid])
            updates.append((aid, *(card.perspectives[p] for p in scoring.PERSPECTIVES),
                            card.total))
        for start in range(0, len(updates), 2000):
            cte, params = _values_cte(
                "v", ("id", "p0", "p1", "p2", "p3", "total"),
                ("INTEGER",) + (self.sql.float,) * 5, updates[start:start + 2000], "v")
            self.conn.execute(text(
                f"WITH {cte} UPDATE pact_bulk_res SET p0 = v.p0, p1 = v.p1, p2 = v.p2,"
                " p3 = v.p3, total = v.total FROM v WHERE pact_bulk_res.id = v.id"), params)
        return len(updates)

    def _due_indicators(self):
        """(template id, period kind code) -> the due indicators, in template order, as the
        attributes saas.services.scoring reads."""
        by_template: dict[int, list] = defaultdict(list)
        for row in self.conn.execute(text(
                "SELECT id, template_id, code, frequency, perspective, direction, target,"
                " warning, zero, max_points FROM indicators WHERE region_id = :r"
                " ORDER BY template_id, position, id"), {"r": self.region_id}):
            by_template[row.template_id].append(SimpleNamespace(**row._mapping))

        def due(template_id: int, pk: int) -> list:
            return [i for i in by_template[template_id]
                    if FREQUENCIES.get(i.frequency, UNKNOWN) <= pk <= 2]

        return due

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


_RANKED = ", ".join(f"'{s}'" for s in RANKED_STATUSES)
_WRITE_COLUMNS = ("id", "p0", "p1", "p2", "p3", "total", "excellent", "pass_", "basic",
                  "old_total", "old_grade", "old_rr", "old_rp", "old_ptext")


def _weighted_total(sql: _Sql, weight: str, score: str) -> str:
    """scoring._weighted_total(): the weighted mean over perspectives with data, term by
    term in PERSPECTIVES order (the same float operations), clamped to [0, 100]."""
    numerator = " + ".join(
        f"(CASE WHEN {score.format(k=k)} IS NULL THEN {sql.zero}"
        f" ELSE {weight.format(k=k)} * {score.format(k=k)} END)" for k in range(4))
    weight_sum = " + ".join(
        f"(CASE WHEN {score.format(k=k)} IS NULL THEN {sql.zero} ELSE {weight.format(k=k)} END)"
        for k in range(4))
    mean = sql.least(sql.hundred, sql.greatest(sql.zero, f"({numerator}) / ({weight_sum})"))
    return f"CASE WHEN ({weight_sum}) > 0 THEN {mean} END"


def _rank_group(kind: str) -> str:
    """The rank group (saas.domain.barometer.RANK_GROUPS) as a small integer; NULL: never
    ranked (mock inspections)."""
    ids: dict[tuple, int] = {}
    cases = " ".join(
        f"WHEN '{k}' THEN {ids.setdefault(tuple(sorted(kinds)), len(ids) + 1)}"
        for k, kinds in RANK_GROUPS.items() if kinds)
    return f"CASE {kind} {cases} END"


def _rank_ctes(src: str) -> str:
    """CTEs ending in ``ranks(id, rank_region, rank_peer)`` over ``src`` (id,
    institution_id, period, grp, ranked, ikind, lvl, total), as the scorecard shows them.

    An assessment with a total and a rank group is ranked against, per institution, the
    latest submitted or finalized assessment with a total of the same period and rank
    group (its own institution's counting as the assessment itself): rank = 1 + the
    number of other institutions with a higher total (scoring.rank). "Higher" is the
    partition's count minus a running count in ascending order of total: three sorts in
    all, no joins."""
    own = "CASE WHEN own > total THEN 1 ELSE 0 END"
    return f"""
        c AS (
          SELECT id, period, grp, ikind, lvl, total,
                 first_value(id) OVER latest AS rep_id,
                 first_value(ranked) OVER latest AS rep_ranked,
                 first_value(total) OVER latest AS rep_total
          FROM {src} WHERE grp IS NOT NULL AND total IS NOT NULL
          WINDOW latest AS (PARTITION BY institution_id, period, grp
                            ORDER BY ranked DESC, id DESC)),
        u AS (
          SELECT id, period, grp, ikind, lvl, total,
                 CASE WHEN rep_ranked = 1 AND id = rep_id THEN 1 ELSE 0 END AS is_rep,
                 CASE WHEN rep_ranked = 1 THEN rep_total END AS own
          FROM c),
        ranks AS (
          SELECT id,
                 1 + sum(is_rep) OVER region - sum(is_rep) OVER region_up - {own}
                   AS rank_region,
                 1 + sum(is_rep) OVER peer - sum(is_rep) OVER peer_up - {own} AS rank_peer
          FROM u
          WINDOW region AS (PARTITION BY period, grp),
                 region_up AS (PARTITION BY period, grp ORDER BY total),
                 peer AS (PARTITION BY period, grp, ikind, lvl),
                 peer_up AS (PARTITION BY period, grp, ikind, lvl ORDER BY total))"""


def _rowcount(conn, result) -> int:
    if conn.dialect.name == "postgresql":
        return max(result.rowcount, 0)
    # Python's sqlite3 reports no rowcount for a statement that starts with WITH.
    return int(conn.exec_driver_sql("SELECT changes()").scalar())


def _write_ranks(conn, region_id: int, periods: list[str] | None = None,
                 kinds: tuple[str, ...] | None = None) -> int:
    """Store rank_region / rank_peer from the stored totals (see _rank_ctes), for all the
    region's assessments or those of the given periods / kinds."""
    sql = _Sql(conn.dialect.name)
    c = sql.collate_c
    params: dict = {"r": region_id}
    where = ""
    for column, values in (("period", periods), ("kind", kinds)):
        if values:
            names = [f"{column}{n}" for n in range(len(values))]
            where += f" AND a.{column} IN ({', '.join(':' + n for n in names)})"
            params.update(zip(names, values, strict=True))
    with _planner(conn, **BULK):
        result = conn.execute(text(f"""
        WITH base AS MATERIALIZED (
          SELECT a.id, a.institution_id, a.period{c} AS period, a.total,
                 CASE WHEN a.status IN ({_RANKED}) THEN 1 ELSE 0 END AS ranked,
                 {_rank_group('a.kind')} AS grp, i.kind{c} AS ikind,
                 NULLIF(i.level, ''){c} AS lvl, a.rank_region AS old_rr, a.rank_peer AS old_rp
          FROM assessments a JOIN institutions i ON i.id = a.institution_id
          WHERE a.region_id = :r{where}),
        {_rank_ctes('base')},
        rk AS MATERIALIZED (
          SELECT base.id, ranks.rank_region, ranks.rank_peer
          FROM base LEFT JOIN ranks ON ranks.id = base.id
          WHERE {sql.distinct('base.old_rr', 'ranks.rank_region')}
             OR {sql.distinct('base.old_rp', 'ranks.rank_peer')})
        UPDATE assessments SET rank_region = rk.rank_region, rank_peer = rk.rank_peer
        FROM rk WHERE assessments.id = rk.id"""), params)
    return _rowcount(conn, result)


def _json(value):
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value


