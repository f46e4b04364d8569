"""Background jobs: rq on Redis when REDIS_URL is set, else run inline (embedded default).

Jobs take ids (tenant ids included), never ORM objects, and call services.
"""

from __future__ import annotations

from flask import current_app


def redis_connection():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url)


def enqueue(func, *args, **kwargs):
    """Queue func(*args) for the worker; without Redis, run it now in this process."""
    conn = redis_connection()
    if conn is None:
        return func(*args, **kwargs)
    from rq import Queue

    return Queue("default", connection=conn).enqueue(func, *args, **kwargs)
