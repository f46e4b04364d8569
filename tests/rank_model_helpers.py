"""The rank read model (saas.services.rank_model) checked against its rule in Python."""

from sqlalchemy import select

from saas.domain.barometer import RANKED_STATUSES, rank_group
from saas.domain.scoring import peer_group


def rank_model_mismatches() -> list[tuple]:
    """Assessments (visible in the current context) whose ``ranked_as`` / ``peer_group``
    differ from the rule: per institution, period and rank group, the latest submitted or
    finalized assessment with a total speaks, with its institution's peer group."""
    from saas.extensions import db
    from saas.models import Assessment, Institution

    db.session.flush()
    db.session.expire_all()
    peers = {i.id: peer_group(i.kind, i.level)
             for i in db.session.execute(select(Institution)).scalars()}
    rows = db.session.execute(select(Assessment).order_by(Assessment.id)).scalars().all()
    speaks = {}
    for a in rows:
        if a.status in RANKED_STATUSES and a.total is not None and rank_group(a.kind):
            speaks[(a.institution_id, a.period, rank_group(a.kind))] = a.id
    wrong = []
    for a in rows:
        key = (a.institution_id, a.period, rank_group(a.kind))
        expected = ((rank_group(a.kind), peers[a.institution_id]) if speaks.get(key) == a.id
                    else (None, None))
        if (a.ranked_as, a.peer_group) != expected:
            wrong.append((a.id, a.kind, a.period, a.status, (a.ranked_as, a.peer_group),
                          expected))
    return wrong
