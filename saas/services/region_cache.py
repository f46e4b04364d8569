"""What is kept per region, dropped when the region's data changes: the dashboards'
figures (:func:`cached`, one entry per tenant, figure and view) and the API's kept reads
(saas.api.kept_reads). Flask-Caching: Redis when REDIS_URL is set, else files in the
instance folder that every worker shares.

Each region has a generation number in the cache; an entry carries it, so bumping it
retires every entry of the region at once. A commit that wrote any row of a region bumps
that region's generation (ORM listeners: the objects flushed, and the bulk UPDATE / INSERT
/ DELETE statements run through the session in a tenant context); writes outside the
session (the set-based recompute, seed-scale) call :func:`changed` themselves. Entries
also expire after CACHE_DEFAULT_TIMEOUT seconds.
"""

from __future__ import annotations

import functools
import hashlib

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.extensions import cache, db
from tenants.context import current, require

_TOUCHED = "pact_touched_regions"


def cached(name: str, view, compute, *extra):
    """``compute()``, or its result kept for this tenant, figure, view and ``extra``."""
    ctx = require()
    key = ":".join(str(p) for p in (
        "dash", database_id(), ctx.region_id, ctx.institution_id or "-",
        generation(ctx.region_id), name, view, *extra))
    key = "dash:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found


def changed(region_id: int) -> None:
    """The region's data changed: what is kept for it is retired."""
    key = generation_key(region_id)
    if not cache.add(key, 1, timeout=0):  # kept until the cache is emptied
        cache.cache.inc(key)  # the backend's atomic increment (Redis INCR)


def generation_key(region_id: int) -> str:
    return f"region-generation:{database_id()}:{region_id}"


def generation(region_id: int) -> int:
    return int(cache.get(generation_key(region_id)) or 0)


def database_id() -> str:
    """A short name of the database this app uses, so that two databases sharing one
    cache (tests, benches) never read each other's entries."""
    return _url_id(db.engine.url.render_as_string())


@functools.lru_cache(maxsize=64)
def _url_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:12]


@event.listens_for(Session, "after_flush")
def _note_regions(session, _context) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        region_id = getattr(obj, "region_id", None)
        if region_id is not None:
            touched.add(region_id)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state) -> None:
    ctx = current()
    if ctx is not None and (state.is_insert or state.is_update or state.is_delete):
        state.session.info.setdefault(_TOUCHED, set()).add(ctx.region_id)


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
