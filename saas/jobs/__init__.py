"""Background jobs: rq on Redis when REDIS_URL is set, else run inline (embedded default).

Jobs take ids (tenant ids included), never ORM objects, and call services.
"""

from __future__ import annotations

import contextlib

from flask import current_app, has_app_context


def redis_connection():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url)


@contextlib.contextmanager
def app_context():
    """The current app context, or a new app's (the rq worker has none)."""
    if has_app_context():
        yield
        return
    from saas import create_app

    with create_app().app_context():
        yield


def enqueue(func, *args, **kwargs):
    """Queue func(*args) for the worker; without Redis, run it now in this process."""
    conn = redis_connection()
    if conn is None:
        return func(*args, **kwargs)
    from rq import Queue

    return Queue("default", connection=conn).enqueue(func, *args, **kwargs)
