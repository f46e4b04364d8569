"""The scoring rules of saas.domain.scoring spelled in SQL, one named expression per
domain function, for the set-based recompute (saas.services.bulk_scoring) and the ranks
(saas.services.ranks). tests/test_scoring_sql.py checks each against its Python rule.

The expressions read columns by agreed names: ``m`` a measurement (value,
not_applicable); ``i`` an indicator's parameters as bulk_scoring computes them
(bulk_scoring.IND_COLUMNS: sgn, t, z, w, mp, mph, isbool); ``e0..e3`` / ``p0..p3`` the
earned and possible hundredths of each perspective; ``s0..s3`` the perspective scores
and ``w0..w3`` the weights, both in hundredths; ``excellent``, ``pass_`` and ``basic``
the grade bands.
"""

from __future__ import annotations

from sqlalchemy import text

from saas.domain import scoring
from saas.extensions import db

# Period kinds as small integers: an indicator is due in a period when its frequency
# code <= the period's kind code (saas.domain.measurements.due_in).
PERIOD_KINDS = {"month": 0, "quarter": 1, "year": 2}
UNKNOWN = 3
PERSPECTIVE_COLUMNS = tuple(f"{p}_hundredths" for p in scoring.PERSPECTIVES)
"""The assessments' columns of the four perspective scores, in hundredths (s0..s3)."""
COLOUR_COLUMNS = ("red_count", "yellow_count")
"""The assessments' 三色预警 counts: how many indicators are red, how many yellow."""
RESULT_COLUMNS = ("total", "grade", *PERSPECTIVE_COLUMNS, *COLOUR_COLUMNS)
"""What a recompute writes: the assessment's results."""


def connection():
    """The session's connection, its transaction's row-level security settings made to
    match the current tenant context first (tenants.isolation does that on every
    Session.execute; the bulk statements run on the connection itself)."""
    db.session.execute(text("SELECT 1"))
    return db.session.connection()


class Dialect:
    """The spellings that differ between PostgreSQL and SQLite."""

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
        """Whether any of the RESULT_COLUMNS of ``new`` differs from ``old``'s."""
        return " OR ".join(self.distinct(f"{new}{c}", f"{old}{c}") for c in RESULT_COLUMNS)

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


def score_indicator(sql: Dialect, m: str = "m", i: str = "i") -> str:
    """saas.domain.scoring.score_indicator()'s points in hundredths: None unless scored;
    full / 0 / linear. The zero line ``z`` is NULL where the domain scores every miss 0
    (none, or not past the target); at or past a valid zero line the linear expression
    itself is exactly 0 (``z - d <= 0``), so that case needs no comparison of its own."""
    d = f"({i}.sgn * ({m}.value - {i}.t))"
    linear = sql.least(f"{i}.mp", sql.greatest(sql.f(0), f"{i}.mp * ({i}.z - {d}) / {i}.z"))
    return (f"CASE WHEN {sql.no_data(m, i)} THEN NULL"
            f" WHEN {i}.isbool = 1 THEN CASE WHEN {m}.value <> 0 THEN {i}.mph ELSE 0 END"
            f" WHEN {d} <= 0 THEN {i}.mph WHEN {i}.z IS NULL THEN 0"
            f" ELSE {sql.hundredths(linear)} END")


def colour_sums(sql: Dialect, m: str = "m", i: str = "i") -> str:
    """saas.domain.scoring.score_indicator()'s colours, counted: ``reds`` miss the target
    (a yes/no indicator: a no), ``yellows`` meet it past the warning line ``w`` (oriented
    like ``z``); missing or not applicable values are neither."""
    d = f"({i}.sgn * ({m}.value - {i}.t))"
    scored = f"NOT {sql.no_data(m, i)}"
    red = f"{scored} AND (({i}.isbool = 1 AND {m}.value = 0) OR ({i}.isbool = 0 AND {d} > 0))"
    yellow = f"{scored} AND {i}.isbool = 0 AND {d} <= 0 AND {i}.w IS NOT NULL AND {d} > {i}.w"
    return (f"sum(CASE WHEN {red} THEN 1 ELSE 0 END) AS reds,"
            f" sum(CASE WHEN {yellow} THEN 1 ELSE 0 END) AS yellows")


def colour_counts(prefix: str) -> str:
    """The COLOUR_COLUMNS from a pass's sums (none: no measurement, no colour)."""
    return (f"coalesce({prefix}reds, 0) AS red_count,"
            f" coalesce({prefix}yellows, 0) AS yellow_count")


def perspective_hundredths(prefix: str = "") -> str:
    """Perspective scores s0..s3 in hundredths from earned (e) and possible (p)
    hundredths: earned / possible × 100, half up (scoring._perspective_hundredths)."""
    scale = 2 * 100 * scoring.UNIT  # 2 × (percent) × (hundredths), for the half up
    return ", ".join(
        f"CASE WHEN {prefix}p{k} > 0 THEN ({scale} * {prefix}e{k} + {prefix}p{k})"
        f" / (2 * {prefix}p{k}) END AS s{k}" for k in range(4))


def weighted_total() -> str:
    """scoring._weighted_total() over the columns s0..s3 (perspectives, hundredths) and
    w0..w3 (weights, hundredths): the weighted mean over perspectives with data, half up."""
    weight = " + ".join(f"CASE WHEN s{k} IS NULL THEN 0 ELSE w{k} END" for k in range(4))
    weighted = " + ".join(f"CASE WHEN s{k} IS NULL THEN 0 ELSE w{k} * s{k} END"
                          for k in range(4))
    return (f"CASE WHEN ({weight}) > 0 THEN (2 * ({weighted}) + ({weight}))"
            f" / (2 * ({weight})) END")


def results(sql: Dialect, scored: str) -> str:
    """The rows of ``scored`` (s0..s3 perspectives in hundredths, w0..w3 weights, the
    grade bands) with their RESULT_COLUMNS, as stored."""
    named = ", ".join(f"s{k} AS {c}" for k, c in enumerate(PERSPECTIVE_COLUMNS))
    # each level behind a fence, so that the planner does not substitute the expressions
    # of one level into the next (the total repeats each perspective's several times)
    return f"""
        SELECT y.*, {grade_for()} AS grade, {named} FROM (
          SELECT x.*, {sql.shown(weighted_total())} AS total
          FROM ({scored}{sql.fence}) AS x{sql.fence}) AS y"""


def grade_for(total: str = "total") -> str:
    """saas.domain.scoring.grade_for(): the grade of ``total`` against the bands in the
    columns excellent, pass_ and basic (lower bounds, inclusive); NULL without a total."""
    return (f"CASE WHEN {total} IS NULL THEN NULL WHEN {total} >= excellent THEN 'excellent'"
            f" WHEN {total} >= pass_ THEN 'pass' WHEN {total} >= basic THEN 'basic'"
            " ELSE 'fail' END")
