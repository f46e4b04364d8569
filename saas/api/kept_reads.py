"""Kept answers to the API's hottest reads: the lists and a scorecard.

A kept answer is the exact body sent before to the same user, for the same path and
query, language and day, while its region's data has not changed since: each entry holds
the region's generation (saas.services.region_cache, bumped after every commit that
wrote a row of the region) it was computed at, and one MGET reads it beside the current
generation. A save answers only after its commit has bumped the generation, so the next
read sees it. The user's token is checked on every request before anything kept is read.

Only with Redis (API_KEPT_READS, on when REDIS_URL is set): a write in one worker must
retire what every worker keeps, at once and without losing a bump to a write beside it,
which Redis's atomic INCR does and the embedded default's file cache does not. A client
that sends ``Cache-Control: no-cache`` gets a fresh answer (which is then kept).
"""

from __future__ import annotations

import functools
import hashlib

from flask import current_app, request
from flask_babel import get_locale

from saas.extensions import cache
from saas.services import region_cache
from saas.timeutil import today_local
from tenants.context import require

HIT_HEADER = "X-Pact-Kept"


def kept_read(view):
    """Serve the view's 200 answer from the cache while its region is unchanged."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config["API_KEPT_READS"]:
            return view(*args, **kwargs)
        ctx = require()
        key = _key(ctx)
        try:
            generation, kept = cache.get_many(region_cache.generation_key(ctx.region_id), key)
        except Exception:  # a cache that does not answer must not fail a read
            current_app.logger.exception("kept reads: cache unreachable")
            return view(*args, **kwargs)
        generation = int(generation or 0)
        wanted_fresh = "no-cache" in request.headers.get("Cache-Control", "")
        if kept is not None and kept[0] == generation and not wanted_fresh:
            return current_app.response_class(kept[1], mimetype="application/json",
                                              headers={HIT_HEADER: "1"})
        response = view(*args, **kwargs)
        if response.status_code == 200:
            # the generation read before the view ran: a write meanwhile makes it stale
            try:
                cache.set(key, (generation, response.get_data()))
            except Exception:
                current_app.logger.exception("kept reads: cache unreachable")
        return response

    return wrapper


def _key(ctx) -> str:
    parts = (region_cache.database_id(), ctx.region_id, ctx.institution_id, ctx.user_id,
             ctx.role, get_locale(), today_local(), request.full_path)
    return "read:" + hashlib.sha256(repr(parts).encode()).hexdigest()
