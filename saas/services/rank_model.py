"""排名 read model: which assessment speaks for its institution in a period's ranks.

An institution's total in a period's ranks is its latest (highest id) submitted or
finalized assessment with a total, of the same rank group (saas.domain.barometer). Such
an assessment carries its rank group in ``ranked_as`` and its institution's peer group
(同级同类, saas.domain.scoring.peer_group) in ``peer_group``; every other assessment has
NULL in both. A scorecard's rank is then a count of index entries
(``ix_assessments_ranked``: saas.services.scoring._rank_counts) instead of a dedupe of
the region's rows.

Kept true in two ways:

* ORM writes: a flush that adds, deletes or changes an assessment's status, total, kind
  or period (in a ranked status before or after), or an institution's kind or level,
  refreshes that institution's rows (a listener below, so no service can forget it);
* set-based writes (saas.services.bulk_scoring, ``pact seed-scale``) call
  :func:`refresh_region`.
"""

from __future__ import annotations

from sqlalchemy import bindparam, event, inspect, text
from sqlalchemy.orm import Session

from saas.domain.barometer import RANK_GROUPS, RANKED_STATUSES, rank_group
from saas.models import Assessment, Institution
from saas.services.scoring_sql import Dialect

# what a flush may change of the ranks: per class, the attributes that matter
WATCHED = {Assessment: ("status", "total", "kind", "period"), Institution: ("kind", "level")}
_PENDING = "rank_model_institutions"


def _group_sql(kind: str) -> str:
    """The rank group of ``kind`` (a column) in SQL, as saas.domain.barometer.rank_group."""
    cases = " ".join(f"WHEN '{k}' THEN '{rank_group(k)}'" for k in RANK_GROUPS)
    return f"CASE {kind} {cases} END"


def _refresh_sql(dialect: str, scope: str) -> str:
    """One UPDATE giving every assessment matched by ``scope`` (a condition on ``a``) its
    ``ranked_as`` and ``peer_group``, writing only the rows that differ.

    The inner query numbers each institution's eligible assessments of a period and
    rank group newest first; number 1 speaks for the institution. The peer group is
    spelled as saas.domain.scoring.peer_group (tests/rank_model_helpers.py checks it)."""
    sql = Dialect(dialect)
    statuses = ", ".join(f"'{s}'" for s in RANKED_STATUSES)
    eligible = (f"a.status IN ({statuses}) AND a.total IS NOT NULL"
                f" AND {_group_sql('a.kind')} IS NOT NULL")
    return f"""
        UPDATE assessments SET ranked_as = d.ranked_as, peer_group = d.peer_group
        FROM (
          SELECT c.id, CASE WHEN c.eligible = 1 AND c.n = 1 THEN c.grp END AS ranked_as,
                 CASE WHEN c.eligible = 1 AND c.n = 1
                      THEN i.kind || '/' || coalesce(i.level, '') END AS peer_group
          FROM (
            SELECT a.id, a.institution_id, {_group_sql('a.kind')} AS grp,
                   CASE WHEN {eligible} THEN 1 ELSE 0 END AS eligible,
                   row_number() OVER (
                     PARTITION BY a.institution_id, a.period, {_group_sql('a.kind')},
                                  CASE WHEN {eligible} THEN 1 ELSE 0 END
                     ORDER BY a.id DESC) AS n
            FROM assessments a WHERE {scope}) AS c
          JOIN institutions i ON i.id = c.institution_id) AS d
        WHERE assessments.id = d.id
          AND ({sql.distinct('assessments.ranked_as', 'd.ranked_as')}
               OR {sql.distinct('assessments.peer_group', 'd.peer_group')})"""


def refresh_institutions(connection, institution_ids) -> None:
    """Refresh the read model of these institutions' assessments (all periods)."""
    ids = sorted(set(institution_ids))
    if ids:
        statement = text(_refresh_sql(connection.dialect.name, "a.institution_id IN :ids"))
        connection.execute(statement.bindparams(bindparam("ids", expanding=True)),
                           {"ids": ids})


def refresh_region(connection, region_id: int) -> int:
    """Refresh the read model of a region's assessments (after a set-based write);
    returns the rows changed."""
    result = connection.execute(text(_refresh_sql(connection.dialect.name,
                                                  "a.region_id = :r")), {"r": region_id})
    return max(result.rowcount or 0, 0)


@event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context):
    """Note the institutions whose ranked assessments a flush may have changed (the
    attributes' history is still there until the flush ends)."""
    pending = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Assessment) and _may_rank(obj):
            pending.add(obj.institution_id)
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched and _changed(obj, watched) and _may_rank(obj):
            pending.add(obj.institution_id if isinstance(obj, Assessment) else obj.id)
    pending.discard(None)
    if not pending:
        session.info.pop(_PENDING)


def _changed(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[n].history.has_changes() for n in names)


def _may_rank(obj) -> bool:
    """Whether ``obj`` may speak in the ranks before or after the flush: an institution
    always may; an assessment only in a ranked status (a draft's total, saved at every
    measurement, changes no rank)."""
    if not isinstance(obj, Assessment):
        return True
    status = inspect(obj).attrs["status"].history
    return any(s in RANKED_STATUSES for s in (*status.added, *status.unchanged,
                                              *status.deleted))


@event.listens_for(Session, "after_flush_postexec")
def _refresh(session, flush_context):
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh_institutions(session.connection(), pending)
        for obj in session.identity_map.values():
            if isinstance(obj, Assessment) and obj.institution_id in pending:
                session.expire(obj, ["ranked_as", "peer_group"])
