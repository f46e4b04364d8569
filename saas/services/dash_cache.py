"""The dashboards' cache (Flask-Caching: Redis when REDIS_URL is set, else in-process):
one entry per tenant, figure and view, dropped when the region's data changes.

Each region has a generation number in the cache; a key carries it, so bumping it retires
every entry of the region at once. A commit that wrote any row of a region bumps that
region's generation (an ORM listener); bulk writes outside the ORM (the set-based
recompute, seed-scale) call :func:`changed` themselves. Entries also expire after
CACHE_DEFAULT_TIMEOUT seconds.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.extensions import cache, db
from tenants.context import require

_TOUCHED = "pact_touched_regions"


def cached(name: str, view, compute, *extra):
    """``compute()``, or its result kept for this tenant, figure, view and ``extra``."""
    ctx = require()
    key = ":".join(str(p) for p in (
        "dash", _database(), ctx.region_id, ctx.institution_id or "-",
        _generation(ctx.region_id), name, view, *extra))
    key = "dash:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found


def changed(region_id: int) -> None:
    """The region's data changed: its cached figures are retired."""
    key = f"dash-generation:{_database()}:{region_id}"
    if not cache.add(key, 1, timeout=0):  # kept until the cache is emptied
        cache.cache.inc(key)  # the backend's atomic increment (Redis INCR)


def _generation(region_id: int) -> int:
    return int(cache.get(f"dash-generation:{_database()}:{region_id}") or 0)


def _database() -> str:
    return hashlib.sha256(db.engine.url.render_as_string().encode()).hexdigest()[:12]


@event.listens_for(Session, "after_flush")
def _note_regions(session, _context) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        region_id = getattr(obj, "region_id", None)
        if region_id is not None:
            touched.add(region_id)


@event.listens_for(Session, "after_commit")
def _retire(session) -> None:
    for region_id in session.info.pop(_TOUCHED, ()):
        try:
            changed(region_id)
        except Exception:  # a cache that does not answer must not fail the commit
            current_app.logger.exception("dashboards cache: region %s not retired", region_id)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_TOUCHED, None)
