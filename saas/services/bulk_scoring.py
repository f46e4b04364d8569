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
   (half up), the grade from the template's bands, the perspectives' key. Steps 1 and 2
   are one statement, which keeps only the assessments whose total, grade or key differ
   from what is stored, and spells the perspectives' JSON text for those alone: the
   pass's sums and the unchanged scorecards are never written;
3. assessments with a measurement of an indicator that is not due in their period, or
   not of their template (the pass counts every measurement), are summed again over
   their due indicators only;
4. one ``UPDATE … FROM`` writes the assessments that changed;
5. annual assessments, whose total combines the year's period totals and the findings'
   points, are recomputed by the per-assessment service.

Ranks are not stored: they follow from the stored totals, and one changed total would
move every rank between its old and new place. :func:`region_ranks` computes them for a
whole region (or some periods) in one statement, as the scorecard shows them.

Measurements keep no score (the scorecard computes it when read), so nothing is written
per measurement. Everything runs in one transaction, in the tenant context of the
region (bureau scope), so PostgreSQL's row-level security applies as to any other
service.
"""

from __future__ import annotations

import contextlib
import time

from sqlalchemy import select, text

from saas.domain import scoring
from saas.domain.barometer import RANK_GROUPS
from saas.domain.messages import N_
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
TFQ = 4
"""Template and frequency in one code, template × TFQ + frequency (frequency < TFQ): the
pass keeps its least and greatest per assessment, two aggregates instead of three."""
_TEMP = ("pact_bulk_res", "pact_bulk_fix")
_IS_RANKED = ("CASE WHEN a.status IN ("
              + ", ".join(f"'{s}'" for s in RANKED_STATUSES) + ") THEN 1 ELSE 0 END")
"""1 for an assessment (alias ``a``) whose total counts in the ranks (submitted or
finalized)."""


def _connection():
    """The session's connection, its transaction's row-level security settings made to
    match the current tenant context first (tenants.isolation does that on every
    Session.execute; the Core statements below run on the connection itself)."""
    db.session.execute(text("SELECT 1"))
    return db.session.connection()


def _check_scope(region_id: int) -> TenantContext:
    ctx = current()
    if ctx is not None and (ctx.region_id != region_id or not ctx.is_bureau):
        raise Forbidden(N_("只有本统筹区医保局可以重算全区评分与排名"))
    return ctx or TenantContext(region_id=region_id)


def recompute_region(region_id: int) -> dict:
    """Recompute every scorecard (perspectives, total, grade) of the region's assessments;
    write what changed. Returns counts and timings.

    Runs as the current context when that is the region's bureau; with no context it acts
    for the region (jobs, commands)."""
    with acting_as(_check_scope(region_id)), transaction():
        stats = _Recompute(region_id).run()
        audit.record("scores.recomputed", object_type="Region", object_id=region_id,
                     after={k: v for k, v in stats.items() if k != "timings"})
    return stats


def region_ranks(region_id: int, periods: list[str] | None = None,
                 kinds: tuple[str, ...] | None = None) -> list[dict]:
    """排名 of the region's assessments (all, or of the given periods / kinds) from their
    stored totals: ``{id, institution_id, kind, period, total, rank_region, rank_peer}``,
    ranks None where the assessment is never ranked (mock) or has no total.

    Each assessment with a total is ranked as its scorecard ranks it: against, per other
    institution, the latest submitted or finalized total of the same period and rank group
    (saas.domain.barometer.RANK_GROUPS), in the region and in the peer group (同级同类).
    Read-only; the bureau's scope (an institution sees its own ranks on its scorecard)."""
    with acting_as(_check_scope(region_id)):
        conn = _connection()
        with _planner(conn, **BULK):
            statement, params = _ranks_statement(conn, region_id, periods, kinds)
            rows = conn.execute(text(f"SELECT * FROM ({statement}) AS r"
                                     " ORDER BY period_start, period_end, kind, rank_region, id"),
                                params)
            return [dict(row._mapping) for row in rows]


def _ranks_statement(conn, region_id: int, periods: list[str] | None = None,
                     kinds: tuple[str, ...] | None = None) -> tuple[str, dict]:
    """The SQL behind region_ranks (unordered) and its parameters; run inside
    ``_planner(conn, **BULK)``, as it checks the data first.

    Windows are partitioned by one 64-bit integer (``part``: the period's dates and the
    rank group), which sorts in a fraction of the time of the same keys as separate
    columns or text; the peer group's window by ``part`` and the peer group's number, so
    that its rows, already in ``part`` order, are sorted a part at a time (an incremental
    sort)."""
    sql = _Sql(conn.dialect.name)
    params: dict = {"r": region_id}

    def among(column: str, values) -> str:
        if not values:
            return ""
        names = [f"{column.replace('.', '_')}{n}" for n in range(len(values))]
        params.update(zip(names, values, strict=True))
        return f" AND {column} IN ({', '.join(':' + n for n in names)})"

    # kinds filter the output only: a rank group spans several kinds
    periods_only, kinds_only = among("a.period", periods), among("base.kind", kinds)
    part = _rank_part(sql, "a")
    # one ranked assessment per institution, period and rank group?
    repeated, lowest = conn.execute(text(f"""
        SELECT count(*) - count(DISTINCT own), min(ranked) FROM (
          SELECT {part} * {2**31} + a.institution_id AS own, {_IS_RANKED} AS ranked
          FROM assessments a
          WHERE a.region_id = :r AND a.total IS NOT NULL{periods_only}
            AND {_rank_group('a.kind')} IS NOT NULL) AS s"""), params).one()
    only_representatives = repeated == 0 and lowest != 0
    return f"""
        WITH peers AS (
          SELECT id, dense_rank() OVER (ORDER BY kind{sql.collate_c},
                                                 NULLIF(level, ''){sql.collate_c}) AS peer
          FROM institutions WHERE region_id = :r),
        base AS (
          SELECT a.id, a.institution_id, a.kind, a.period, a.period_start, a.period_end,
                 a.total, {_IS_RANKED} AS ranked,
                 CASE WHEN a.total IS NOT NULL THEN {part} END AS part, p.peer
          FROM assessments a JOIN peers p ON p.id = a.institution_id
          WHERE a.region_id = :r{periods_only}),
        {_rank_ctes(only_representatives)}
        SELECT id, institution_id, kind, period, period_start, period_end, total,
               CASE WHEN part IS NOT NULL THEN rank_region END AS rank_region,
               CASE WHEN part IS NOT NULL THEN rank_peer END AS rank_peer
        FROM ranked AS base
        WHERE 1 = 1{kinds_only}""", params


def _rank_part(sql: _Sql, a: str) -> str:
    """The rank partition of assessment ``a`` as one integer: its period's first day (days
    since 2000), the period's length in days (< 4096) and the rank group (1-3); NULL when
    never ranked."""
    start = sql.days(f"{a}.period_start")
    length = f"({sql.days(f'{a}.period_end')} - {start})"
    return f"(({start} * 4096 + {length}) * 4 + {_rank_group(f'{a}.kind')})"


class _Sql:
    """The spellings that differ between PostgreSQL and SQLite, and the scoring
    expression (alias ``m`` for measurements, ``i`` for the indicator parameters)."""

    def __init__(self, dialect: str):
        self.pg = dialect == "postgresql"
        # grouping only needs equality: bytewise comparison is enough, and fast
        self.collate_c = ' COLLATE "C"' if self.pg else ""

    def f(self, n: float) -> str:
        return f"CAST({n} AS DOUBLE PRECISION)"

    @property
    def fence(self) -> str:
        """Ends a subquery that the planner must not merge into the query around it."""
        return " OFFSET 0" if self.pg else " LIMIT -1 OFFSET 0"

    def whole(self, x: str) -> str:
        """floor(x) as a 64-bit integer, for x >= 0 (where truncation is the floor)."""
        return f"CAST({'floor' if self.pg else ''}({x}) AS BIGINT)"

    def days(self, date: str) -> str:
        """Days from 2000-01-01 to ``date``, a 64-bit integer."""
        if self.pg:
            return f"CAST({date} - DATE '2000-01-01' AS BIGINT)"
        return f"CAST(julianday({date}) - julianday('2000-01-01') AS INTEGER)"

    def distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.pg else f"{a} IS NOT {b}"

    def results_differ(self, new: str, old: str) -> str:
        """Whether the total, grade and perspectives key of ``new`` (columns total, grade,
        perspectives_key) differ from ``old``'s."""
        return " OR ".join(self.distinct(f"{new}{c}", f"{old}{c}")
                           for c in ("total", "grade", "perspectives_key"))

    def least(self, *args: str) -> str:
        return f"{'LEAST' if self.pg else 'min'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'GREATEST' if self.pg else 'max'}({', '.join(args)})"

    def hundredths(self, x: str) -> str:
        """saas.domain.scoring.hundredths(): floor(x * 100 + 0.5) for x >= 0, where
        truncation is the floor."""
        return f"CAST({'floor' if self.pg else ''}({x} * {self.f(scoring.UNIT)}" \
               f" + {self.f(0.5)}) AS INTEGER)"

    def shown(self, h: str) -> str:
        """Hundredths as the number shown (scoring._shown)."""
        return f"(CAST({h} AS DOUBLE PRECISION) / {self.f(scoring.UNIT)})"

    def json_text(self, pairs: list[tuple[str, str]]) -> str:
        """The JSON text Python's json.dumps() writes for ``{key: hundredths / 100}``, e.g.
        ``{"financial": 100.0, "patient": 87.05, "process": 0.5, "learning": null}``:
        the SQLAlchemy JSON column's own spelling, so stored values compare as text.
        PostgreSQL spells a double as its shortest exact digits, as Python does; SQLite's
        spelling differs, so there the number is spelled from the whole hundredths."""
        if self.pg:  # one call; a double's text is its shortest exact spelling, as Python's
            parts = ", ".join(
                f"'{', ' if n else '{'}\"{k}\": ', coalesce(CASE WHEN {v} % 100 = 0 THEN"
                f" CAST({v} / 100 AS TEXT) || '.0' ELSE CAST({self.shown(v)} AS TEXT) END,"
                " 'null')" for n, (k, v) in enumerate(pairs))
            return f"concat({parts}, '}}')"

        def number(h: str) -> str:
            cents = f"({h}) % 100"
            decimals = (f"CASE WHEN {cents} = 0 THEN '0' WHEN {cents} % 10 = 0 THEN"
                        f" CAST({cents} / 10 AS TEXT) WHEN {cents} < 10 THEN"
                        f" '0' || CAST({cents} AS TEXT) ELSE CAST({cents} AS TEXT) END")
            return f"coalesce(CAST(({h}) / 100 AS TEXT) || '.' || {decimals}, 'null')"
        body = " || ', ' || ".join(f"'\"{k}\": ' || {number(v)}" for k, v in pairs)
        return f"('{{' || {body} || '}}')"

    def period_kind(self, period: str) -> str:
        """The period's kind code (saas.domain.periods); UNKNOWN: nothing is due."""
        return (f"CASE WHEN length({period}) = 4 THEN {PERIOD_KINDS['year']}"
                f" WHEN upper({period}) LIKE '____-Q_' THEN {PERIOD_KINDS['quarter']}"
                f" WHEN length({period}) = 7 THEN {PERIOD_KINDS['month']} ELSE {UNKNOWN} END")

    def no_data(self, m: str = "m", i: str = "i") -> str:
        """Missing or not applicable. saas.services.scoring.value_of reads a boolean
        indicator's value with bool(), so NaN is missing only for numeric indicators."""
        nan = (f" OR ({i}.isbool = 0 AND {m}.value = CAST('NaN' AS DOUBLE PRECISION))"
               if self.pg else "")
        return f"({m}.not_applicable OR {m}.value IS NULL{nan})"

    def points(self, m: str = "m", i: str = "i") -> str:
        """score_indicator() in hundredths: None unless scored; full / 0 / linear. The zero
        line ``z`` is NULL where the domain scores every miss 0 (none, or not past the
        target); at or past a valid zero line the linear expression itself is exactly 0
        (``z - d <= 0``), so that case needs no comparison of its own."""
        d = f"({i}.sgn * ({m}.value - {i}.t))"
        linear = self.least(f"{i}.mp", self.greatest(self.f(0), f"{i}.mp * ({i}.z - {d}) / {i}.z"))
        return (f"CASE WHEN {self.no_data(m, i)} THEN NULL"
                f" WHEN {i}.isbool = 1 THEN CASE WHEN {m}.value <> 0 THEN {i}.mph ELSE 0 END"
                f" WHEN {d} <= 0 THEN {i}.mph WHEN {i}.z IS NULL THEN 0"
                f" ELSE {self.hundredths(linear)} END")


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

    def put(values: dict) -> None:
        for name, value in values.items():
            conn.execute(text("SELECT set_config(:name, :value, true)"),
                         {"name": name, "value": value})

    before = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in settings}
    put(settings)
    try:
        yield
    finally:
        put(before)


BULK = {"enable_nestloop": "off", "enable_mergejoin": "off", "jit": "off",
        "work_mem": "256MB"}
# The pass aggregates by hashing, never by sorting.
PASS = {**BULK, "enable_sort": "off"}
JIT = {"jit": "on", "jit_above_cost": "0", "jit_optimize_above_cost": "-1",
       "jit_inline_above_cost": "-1"}
"""JIT for the pass, compiled without optimisation or inlining: its scoring expressions
run millions of times, and compiled they take a fifth off the pass (docs/performance.md);
optimised or inlined, compiling costs more than it saves."""
JIT_ROWS = 1_000_000
"""Below this many measurements in the table, compiling takes longer than the pass. (The
planner's own threshold, jit_above_cost, cannot tell: row-level security hides the
table's size from it.)"""


def pass_settings(conn) -> dict:
    """The planner settings of the measurement pass: PASS, with JIT on a large table."""
    if conn.dialect.name != "postgresql":
        return PASS
    rows = conn.execute(text(
        "SELECT reltuples FROM pg_class WHERE oid = 'measurements'::regclass")).scalar()
    return {**PASS, **JIT} if (rows or 0) > JIT_ROWS else PASS


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
IND_COLUMNS = ("id", "tid", "fq", "pidx", "isbool", "mph", "sgn", "t", "z", "mp", "tfq")
IND_TYPES = ("INTEGER",) * 6 + ("DOUBLE PRECISION",) * 4 + ("BIGINT",)
TPL_COLUMNS = ("id", "w0", "w1", "w2", "w3", "excellent", "pass_", "basic")
TPL_TYPES = ("INTEGER",) * 5 + ("DOUBLE PRECISION",) * 3


class _Recompute:
    def __init__(self, region_id: int):
        self.region_id = region_id
        db.session.flush()
        self.conn = _connection()
        self.sql = _Sql(self.conn.dialect.name)
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
        with _planner(self.conn, **pass_settings(self.conn)):
            self._timed("scorecards", f"{self._temp('pact_bulk_res')} {self._scorecards_sql()}",
                        {**self._ind_params, **self._tpl_params})
        stats["assessments"], self.annual_count = self._counts()
        with _planner(self.conn, **BULK):
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
        perspective, and the least and greatest template-and-frequency code (tfq).
        ``due_only``: the ids of assessments to sum over their due indicators only.

        Where the hundredths allow it (``self.packed``), a perspective's earned and
        possible hundredths are summed as one double, earned × PACK + possible: whole
        numbers below 2**53 add exactly in any order, and one sum instead of two is a
        tenth of the pass."""
        sql = self.sql
        sums = []
        for k in range(4):
            if self.packed:  # NULL, so not summed, when there is no data
                both = f"({sql.points()}) * {sql.f(PACK)} + i.mph"
                sums.append(f"sum({both}) FILTER (WHERE i.pidx = {k}) AS ep{k}")
                continue
            sums += [f"sum({sql.points()}) FILTER (WHERE i.pidx = {k}) AS e{k}",
                     f"sum(i.mph) FILTER (WHERE i.pidx = {k} AND NOT {sql.no_data()}) AS p{k}"]
        due = ""
        if due_only:
            due = (" JOIN pact_bulk_res r ON r.id = m.assessment_id AND i.tid = r.template_id"
                   " JOIN assessments a ON a.id = m.assessment_id"
                   f" AND i.fq <= {self.sql.period_kind('a.period')}"
                   f" WHERE m.assessment_id IN ({due_only}) AND")
        summed = f"""
            SELECT m.assessment_id, {', '.join(sums)},
                   min(i.tfq) AS tfqmin, max(i.tfq) AS tfqmax
            FROM measurements m JOIN ind i ON i.id = m.indicator_id{due or ' WHERE'}
            m.region_id = :r
            GROUP BY m.assessment_id"""
        if not self.packed:
            return summed
        unpacked = []
        for k in range(4):
            earned = sql.whole(f"ep{k} / {sql.f(PACK)}")
            unpacked += [f"{earned} AS e{k}", f"CAST(ep{k} AS BIGINT) - {earned} * {PACK} AS p{k}"]
        return (f"SELECT assessment_id, {', '.join(unpacked)}, tfqmin, tfqmax"
                f" FROM ({summed}) AS packed{sql.fence}")

    def _scorecards_sql(self) -> str:
        """Steps 1 and 2 in one statement (the pass's sums are never written): per
        non-annual assessment of the region its total, grade, perspectives' key and JSON
        text, kept only where they differ from what is stored or the assessment must be
        summed again (``again``)."""
        # (monthly indicators are due in every period: the period is only read otherwise)
        # (tfq: the least and greatest codes both in the template's range mean every
        # indicator is of the template; the greatest then has the greatest frequency)
        template = f"ag.template_id * {TFQ}"
        odd = (f"NOT (g.tfqmin >= {template} AND g.tfqmax < {template} + {TFQ}"
               f" AND (g.tfqmax % {TFQ} = 0"
               f" OR g.tfqmax % {TFQ} <= {self.sql.period_kind('a.period')}))")
        scored = f"""
              SELECT a.id, ag.template_id, {_perspectives('g.')},
                     CASE WHEN a.kind = 'annual' THEN 1 ELSE 0 END AS annual,
                     CASE WHEN g.tfqmin IS NOT NULL AND {odd} THEN 1 ELSE 0 END AS again,
                     t.w0, t.w1, t.w2, t.w3, t.excellent, t.pass_, t.basic,
                     a.total AS old_total, a.grade AS old_grade,
                     a.perspectives_key AS old_perspectives_key
              FROM assessments a
              JOIN agreements ag ON ag.id = a.agreement_id
              JOIN tpl t ON t.id = ag.template_id
              LEFT JOIN ({self._aggregate_sql()}) AS g ON g.assessment_id = a.id
              WHERE a.region_id = :r"""
        sql = self.sql
        changed = sql.results_differ("", "old_")
        return f"""
            WITH {self._tpl_cte}, {self._ind_cte}
            SELECT id, template_id, again, total, grade, {_ptext(sql)} AS ptext,
                   perspectives_key
            FROM ({_results(sql, scored)}) AS x
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
            SELECT r.id, {_perspectives('f.')}, t.w0, t.w1, t.w2, t.w3, t.excellent,
                   t.pass_, t.basic
            FROM pact_bulk_res r JOIN tpl t ON t.id = r.template_id
            LEFT JOIN pact_bulk_fix f ON f.assessment_id = r.id
            WHERE r.id IN ({listed})"""
        self.conn.execute(text(f"""
            UPDATE pact_bulk_res SET total = x.total, grade = x.grade,
                   ptext = {_ptext(self.sql, "x.")}, perspectives_key = x.perspectives_key
            FROM (WITH {self._tpl_cte} {_results(self.sql, fixed)}) AS x
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
            UPDATE assessments SET total = r.total, grade = r.grade,
                   perspectives = {'CAST(r.ptext AS JSON)' if sql.pg else 'r.ptext'},
                   perspectives_key = r.perspectives_key
            FROM pact_bulk_res r
            WHERE assessments.id = r.id{named} AND ({changed})""", {"ids": ids})
        return _rowcount(self.conn, result)

    # ------------------------------------------------------------------ parameters

    def _indicator_params(self) -> list[tuple]:
        """Per indicator of the region: _indicator_row()."""
        rows = self.conn.execute(text(
            "SELECT id, template_id, frequency, perspective, direction, target, zero,"
            " max_points FROM indicators WHERE region_id = :r"), {"r": self.region_id})
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


def _indicator_row(id_, tid, frequency, perspective, direction, target, zero, mp) -> tuple:
    """An indicator as the row of ``ind`` (IND_COLUMNS): template, frequency and perspective
    codes, boolean flag, max points in hundredths, the lines oriented exactly as
    scoring._oriented() orients them, computed here in Python so that SQL gets the very
    same doubles, and template and frequency as one code (tfq)."""
    mp, fq = float(mp), FREQUENCIES.get(frequency, UNKNOWN)
    head = (id_, tid, fq, PIDX[perspective], int(direction == "boolean"),
            scoring.hundredths(mp))
    tfq = tid * TFQ + fq
    if direction == "boolean":
        return (*head, 1.0, None, None, mp, tfq)
    sign = 1.0 if direction == "lower_better" else -1.0
    t = float(target)
    z = None if zero is None else sign * (float(zero) - t)
    z = None if z is not None and z <= 0 else z  # scored as no zero line
    return (*head, sign, t, z, mp, tfq)


def _perspectives(prefix: str = "") -> str:
    """Perspective scores s0..s3 in hundredths from earned (e) and possible (p)
    hundredths: earned / possible × 100, half up (scoring._perspective_hundredths)."""
    scale = 2 * 100 * scoring.UNIT  # 2 × (percent) × (hundredths), for the half up
    return ", ".join(
        f"CASE WHEN {prefix}p{k} > 0 THEN ({scale} * {prefix}e{k} + {prefix}p{k})"
        f" / (2 * {prefix}p{k}) END AS s{k}" for k in range(4))


def _total_hundredths() -> str:
    """scoring._weighted_total() over the columns s0..s3 (perspectives, hundredths) and
    w0..w3 (weights, hundredths): the weighted mean over perspectives with data, half up."""
    weight = " + ".join(f"CASE WHEN s{k} IS NULL THEN 0 ELSE w{k} END" for k in range(4))
    weighted = " + ".join(f"CASE WHEN s{k} IS NULL THEN 0 ELSE w{k} * s{k} END"
                          for k in range(4))
    return (f"CASE WHEN ({weight}) > 0 THEN (2 * ({weighted}) + ({weight}))"
            f" / (2 * ({weight})) END")


def _results(sql: _Sql, scored: str) -> str:
    """The rows of ``scored`` (s0..s3 perspectives in hundredths, w0..w3 weights, the
    grade bands) with their total, grade and perspectives key, as stored."""
    grade = ("CASE WHEN total IS NULL THEN NULL WHEN total >= excellent THEN 'excellent'"
             " WHEN total >= pass_ THEN 'pass' WHEN total >= basic THEN 'basic'"
             " ELSE 'fail' END")
    key = " + ".join(f"CAST(coalesce(s{k}, {scoring.NO_SCORE}) AS BIGINT)"
                     f" * {2 ** (scoring.KEY_BITS * k)}" for k in range(4))
    # each level behind a fence, so that the planner does not substitute the expressions
    # of one level into the next (the total repeats each perspective's several times)
    return f"""
        SELECT y.*, {grade} AS grade, {key} AS perspectives_key FROM (
          SELECT x.*, {sql.shown(_total_hundredths())} AS total
          FROM ({scored}{sql.fence}) AS x{sql.fence}) AS y"""


def _ptext(sql: _Sql, prefix: str = "") -> str:
    """The perspectives' JSON text from the columns s0..s3 (hundredths), as stored: spelled
    only for the scorecards that are written."""
    return sql.json_text([(p, f"{prefix}s{k}") for p, k in PIDX.items()])


def _rank_group(kind: str) -> str:
    """The rank group (saas.domain.barometer.RANK_GROUPS) as a small integer; NULL: never
    ranked (mock inspections)."""
    ids: dict[tuple, int] = {}
    cases = " ".join(
        f"WHEN '{k}' THEN {ids.setdefault(tuple(sorted(kinds)), len(ids) + 1)}"
        for k, kinds in RANK_GROUPS.items() if kinds)
    return f"CASE {kind} {cases} END"


def _rank_ctes(only_representatives: bool) -> str:
    """A CTE ``ranked``: the rows of ``base`` (id, institution_id, ranked, part, peer,
    total, …) with ``rank_region`` and ``rank_peer`` as the scorecard shows them, read
    where ``part`` is not NULL.

    An assessment with a total and a rank group is ranked against, per other institution,
    its representative: the latest submitted or finalized assessment with a total of the
    same period and rank group. Its own institution counts as the assessment itself, so
    rank = 1 + the representatives with a higher total - 1 if its own representative is
    higher (scoring.rank): a running count over the groups of higher totals (GROUPS
    frame). When every assessment with a total is its institution's representative (no
    drafts, one per period; the usual case), that is plain RANK()."""
    def windows(frame: str = "") -> str:
        return (f"WINDOW region AS (PARTITION BY part ORDER BY total DESC{frame}),"
                f" peers AS (PARTITION BY part, peer ORDER BY total DESC{frame})")

    if only_representatives:
        return f"""
        ranked AS (
          SELECT base.*, RANK() OVER region AS rank_region, RANK() OVER peers AS rank_peer
          FROM base {windows()})"""
    return f"""
        reps AS (
          SELECT institution_id, part, max(id) AS rep_id FROM base
          WHERE part IS NOT NULL AND ranked = 1
          GROUP BY institution_id, part),
        u AS (
          SELECT s.*, CASE WHEN s.id = reps.rep_id THEN 1 ELSE 0 END AS is_rep,
                 CASE WHEN own.total > s.total THEN 1 ELSE 0 END AS own_higher
          FROM base s
          LEFT JOIN reps ON reps.institution_id = s.institution_id AND reps.part = s.part
          LEFT JOIN base own ON own.id = reps.rep_id),
        ranked AS (
          SELECT u.*, 1 + coalesce(sum(is_rep) OVER region, 0) - own_higher AS rank_region,
                 1 + coalesce(sum(is_rep) OVER peers, 0) - own_higher AS rank_peer
          FROM u {windows(" GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING")})"""


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
