"""Jobs: inline without Redis; through a real Redis queue and an rq worker when configured."""

import os

import pytest
from sqlalchemy import select

from conftest import acting
from saas.extensions import db
from saas.jobs.agreements import expire_due_everywhere
from saas.models import Agreement

# One Redis database per xdist worker, so parallel tests never run each other's jobs.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("PACT_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 8}")


def _statuses(app, who="a_bureau_admin"):
    with acting(app, who):
        return {a.number: a.status for a in db.session.execute(select(Agreement)).scalars()}


def test_inline_without_redis(app):
    with app.app_context():
        results = expire_due_everywhere("2027-01-05")
    assert all(isinstance(ids, list) for ids in results.values())
    assert set(_statuses(app).values()) == {"expired"}


def _redis():
    from redis import Redis

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except Exception:
        if os.environ.get("CI"):
            pytest.fail("Redis must answer in CI (127.0.0.1:6379)")
        pytest.skip("Redis not reachable")
    return conn


def test_queued_on_redis_and_run_by_a_worker(app):
    from rq import Queue, SimpleWorker

    conn = _redis()
    queue = Queue("default", connection=conn)
    queue.empty()
    app.config["REDIS_URL"] = REDIS_URL
    with app.app_context():
        jobs = expire_due_everywhere("2027-01-05")
        # per region: the measures' end and the expiry, queued, not run yet
        assert len(jobs) == 2 and queue.count == 4
        assert set(_statuses(app).values()) == {"active"}
        SimpleWorker([queue], connection=conn).work(burst=True)
    assert set(_statuses(app).values()) == {"expired"}
    assert set(_statuses(app, "b_bureau_admin").values()) == {"expired"}
    assert all(job.get_status(refresh=True) == "finished" for job in jobs.values())
