"""排名: the ranks of a region's assessments, computed from their stored totals in one
statement (ranks are never stored: one changed total would move every rank between its
old and new place). A single scorecard counts its own rank in saas.services.scoring."""

from __future__ import annotations

from sqlalchemy import text

from saas.domain.barometer import RANK_GROUPS
from saas.services.base import require_region_bureau
from saas.services.pg_tuning import BULK, planner
from saas.services.scoring import RANKED_STATUSES
from saas.services.scoring_sql import Dialect, connection
from tenants.context import acting_as

_IS_RANKED = ("CASE WHEN a.status IN ("
              + ", ".join(f"'{s}'" for s in RANKED_STATUSES) + ") THEN 1 ELSE 0 END")
"""1 for an assessment (alias ``a``) whose total counts in the ranks (submitted or
finalized)."""


def region_ranks(region_id: int, periods: list[str] | None = None,
                 kinds: tuple[str, ...] | None = None) -> list[dict]:
    """排名 of the region's assessments (all, or of the given periods / kinds) from their
    stored totals: ``{id, institution_id, kind, period, total, rank_region, rank_peer}``,
    ranks None where the assessment is never ranked (mock) or has no total.

    Each assessment with a total is ranked as its scorecard ranks it: against, per other
    institution, the latest submitted or finalized total of the same period and rank group
    (saas.domain.barometer.RANK_GROUPS), in the region and in the peer group (同级同类).
    Read-only; the bureau's scope (an institution sees its own ranks on its scorecard)."""
    with acting_as(require_region_bureau(region_id)):
        conn = connection()
        with planner(conn, **BULK):
            statement, params = ranks_statement(conn, region_id, periods, kinds)
            rows = conn.execute(text(f"SELECT * FROM ({statement}) AS r"
                                     " ORDER BY period_start, period_end, kind, rank_region, id"),
                                params)
            return [dict(row._mapping) for row in rows]


def ranks_statement(conn, region_id: int, periods: list[str] | None = None,
                     kinds: tuple[str, ...] | None = None) -> tuple[str, dict]:
    """The SQL behind region_ranks (unordered) and its parameters; run inside
    ``_planner(conn, **BULK)``, as it checks the data first.

    Windows are partitioned by one 64-bit integer (``part``: the period's dates and the
    rank group), which sorts in a fraction of the time of the same keys as separate
    columns or text; the peer group's window by ``part`` and the peer group's number, so
    that its rows, already in ``part`` order, are sorted a part at a time (an incremental
    sort)."""
    sql = Dialect(conn.dialect.name)
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


def _rank_part(sql: Dialect, a: str) -> str:
    """The rank partition of assessment ``a`` as one integer: its period's first day (days
    since 2000), the period's length in days (< 4096) and the rank group (1-3); NULL when
    never ranked."""
    start = sql.days(f"{a}.period_start")
    length = f"({sql.days(f'{a}.period_end')} - {start})"
    return f"(({start} * 4096 + {length}) * 4 + {_rank_group(f'{a}.kind')})"


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
