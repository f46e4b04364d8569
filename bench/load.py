"""Pact under load: requests per second and latency against gunicorn, beside two ceilings.

    DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_pages \\
    DATABASE_OWNER_URL=postgresql+psycopg://postgres@127.0.0.1/pact_pages \\
    .venv/bin/python -m bench.load --institutions 2000

Seeds (or reuses) the region of bench.pages, then serves Pact (``saas.wsgi:app``) and the
two ceilings of bench.ceiling (a bare Flask JSON endpoint, and one indexed PostgreSQL
lookup, the floor of any authenticated read) with the same gunicorn settings
(:data:`GUNICORN`), and drives them with wrk (Debian's package) at each ``--connections``,
interleaved: bare, lookup, then each Pact request, ``--rounds`` times.

Pact's requests carry a bureau user's bearer token:
- ``GET /me``, the first page of ``GET /assessments`` and one scorecard, each read as
  clients read it (kept answers allowed: Pact serves with Redis, as production does) and
  the last two again with ``Cache-Control: no-cache``, computed anew each time;
- a measurement save (``PUT …/measurements`` on a draft, the value changing with every
  request), and again with ``Prefer: return=minimal``, as an integration pushing values
  sends it (204, no scorecard); then minimal saves spread over 40 drafts of the region
  (no queue on one draft's rows, only on the region's audit chain).

After some, their floor, served by bench.ceiling beside the ceilings: a read's own
statements, captured from Pact and replayed with no Python around them; a save's
statements written plainly. Prints requests per second, p50 / p95 / p99, errors, the
ratios to the one-lookup ceiling, and each Pact request's rate as a share of its floor's;
writes bench/results/load-<date>.json.

Targets: reads ≥ 50 % of the lookup ceiling's rate, the save ≥ 30 %, p99 ≤ 2× the
ceiling's p99 in the same run, zero errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pages import (  # noqa: E402
    _prepare_user,
    bench_app,
    ensure_region,
    region_code,
    sent_by,
)
from bench.scoring import RESULTS  # noqa: E402

TARGETS = {"read_share": 0.5, "save_share": 0.3, "p99_ratio": 2.0}
GUNICORN = ["--worker-class", "gthread", "--threads", "4", "--backlog", "2048",
            "--log-level", "warning", "--timeout", "60"]
"""The production settings under test, besides ``--workers`` (default: one per core)."""

# wrk's Lua hook: prints the run's figures as one JSON line (microseconds).
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50": %d, '
    .. '"p95": %d, "p99": %d, "non2xx": %d, "socket": %d}\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--connections", type=int, action="append",
                        help="concurrent connections; default 50 and 200")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    return parser.parse_args(argv)


def _lua(method: str = "GET", token: str = "", body_template: str = "",
         fresh: bool = False, minimal: bool = False, paths: list[str] = ()) -> str:
    """A wrk script: the method, the bearer token and, for a save, a body whose value
    changes with every request (``%s`` in ``body_template``); ``fresh`` asks for an
    answer computed anew (``Cache-Control: no-cache``), not a kept one; ``minimal`` for
    no answer at all (``Prefer: return=minimal``); ``paths``, requests in turn to each of
    them instead of the URL's."""
    lines = [f'wrk.method = "{method}"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if fresh:
        lines.append('wrk.headers["Cache-Control"] = "no-cache"')
    if minimal:
        lines.append('wrk.headers["Prefer"] = "return=minimal"')
    if body_template:
        lines += ['wrk.headers["Content-Type"] = "application/json"',
                  "local n = 0",
                  "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}",
                  "request = function()",
                  "  n = n + 1",
                  f"  local body = string.format('{body_template}', (n % 100) / 100)",
                  "  local path = #paths > 0 and paths[(n % #paths) + 1] or nil",
                  "  return wrk.format(nil, path, nil, body)",
                  "end"]
    return "\n".join(lines) + WRK_DONE


def _wrk(url: str, script: str, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
                          "--timeout", "30s", "-s", f.name, url],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    figures = json.loads(re.search(r"^WRKJSON (.*)$", out, re.M).group(1))
    seconds = figures["duration_us"] / 1e6
    return {"rps": round(figures["requests"] / seconds, 1),
            "p50_ms": round(figures["p50"] / 1000, 1), "p95_ms": round(figures["p95"] / 1000, 1),
            "p99_ms": round(figures["p99"] / 1000, 1),
            "errors": figures["non2xx"] + figures["socket"]}


def _redis_url() -> str:
    """Production serves with Redis (jobs, the dashboards' figures, the API's kept reads)."""
    from redis import Redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        sys.exit(f"bench.load serves Pact as production does, with Redis: {url} does not "
                 "answer (redis-server --daemonize yes)")
    return url


def _serve(wsgi: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), *GUNICORN], env={**os.environ, **env}, cwd=ROOT)
    probe = f"http://127.0.0.1:{port}/healthz" if wsgi.startswith("saas") else \
        f"http://127.0.0.1:{port}/bare"
    for _ in range(120):
        try:
            urllib.request.urlopen(probe, timeout=1)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"{wsgi} did not start on port {port}")


def _fixtures(app, email: str) -> dict:
    """A bearer token of the region's bureau user, a finalized assessment to show, and a
    draft (the previous run's, or a new one) to save a measurement on."""
    from saas.extensions import db
    from saas.models import User
    from saas.services import assessments
    from saas.services.auth import issue_token
    from tenants.context import acting_as, for_user

    with app.test_request_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        token = issue_token(user.id, "bench-load")
        with acting_as(for_user(user)):
            shown = db.session.execute(sa.text(
                "SELECT id, agreement_id FROM assessments WHERE region_id = :r"
                " AND period = '2026-06' AND kind = 'self' ORDER BY id LIMIT 1"),
                {"r": user.region_id}).one()
            draft = _draft_of(shown.agreement_id)
            # an indicator due in the draft's own period (a quarterly one is not in May)
            code = assessments.scorecard(draft)["indicators"][0]["code"]
            drafts = [_with_value(d, code) for d in
                      [draft, *_spread_drafts(user.region_id, shown.agreement_id)]]
        db.session.remove()
    return {"token": token, "scorecard": shown.id, "draft": draft, "indicator": code,
            "drafts": drafts}


def _spread_drafts(region_id: int, agreement_id: int, n: int = 39) -> list[int]:
    """Drafts of ``n`` more institutions signed on the same template version as
    ``agreement_id`` (so one indicator code fits all): saves spread over them do not queue
    on one draft's rows, only on the region's audit chain, as a region's clerks' saves do."""
    from saas.extensions import db

    agreements = db.session.execute(sa.text(
        "SELECT id FROM agreements WHERE region_id = :r AND id <> :a AND template_id ="
        " (SELECT template_id FROM agreements WHERE id = :a) ORDER BY id LIMIT :n"),
        {"r": region_id, "a": agreement_id, "n": n}).scalars().all()
    return [_draft_of(agreement) for agreement in agreements]


def _draft_of(agreement_id: int) -> int:
    """The agreement's routine 2026-06 draft: a previous run's, or a new one."""
    from saas.extensions import db
    from saas.services import assessments

    draft = db.session.execute(sa.text(
        "SELECT id FROM assessments WHERE agreement_id = :a AND kind = 'routine'"
        " AND period = '2026-06' AND status = 'draft' ORDER BY id LIMIT 1"),
        {"a": agreement_id}).scalar()
    return draft if draft is not None else \
        assessments.create(agreement_id, "routine", "2026-06").id


def _with_value(draft: int, code: str) -> int:
    """``draft``, with a value for ``code``, so the save floor (bench.ceiling) finds a
    measurement to write."""
    from saas.services import assessments

    assessments.save_measurements(draft, [{"indicator_code": code, "value": 0.5}],
                                  answer=False)
    return draft


def _capture_replays(app, fx: dict) -> str:
    """The statements Pact sends for each read computed afresh (bench.pages.sent_by, one
    request through the test client), written to a file for bench.ceiling's
    ``/replay/<name>``; its path."""
    from saas.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    headers = {"Authorization": f"Bearer {fx['token']}", "Cache-Control": "no-cache"}

    def read(path):
        assert client.get(path, headers=headers).status_code == 200

    replays = {name: sent_by(engine, lambda p=path: read(p))
               for name, path in _replayed(fx).items()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(replays, f, default=str)
    return f.name


def _replayed(fx: dict) -> dict:
    """The reads whose floor is their own statements replayed: name → Pact's path."""
    return {"me": "/api/v1/me", "assessments": "/api/v1/assessments",
            "scorecard": f"/api/v1/assessments/{fx['scorecard']}/scorecard"}


def _requests(fx: dict) -> list[tuple[str, str, str]]:
    """(name, URL, wrk script) of each request measured: Pact's (port 18001) and, after
    some, their floors (bench.ceiling, port 18002; named "floor: …")."""
    token, pact, floor = fx["token"], "http://127.0.0.1:18001", "http://127.0.0.1:18002"
    body = '[{"indicator_code": "' + fx["indicator"] + '", "value": %s}]'
    paths = _replayed(fx)
    save = f"{pact}/api/v1/assessments/{fx['draft']}/measurements"
    spread = [f"/api/v1/assessments/{d}/measurements" for d in fx["drafts"]]
    return [("GET /me", pact + paths["me"], _lua(token=token)),
            ("floor: its SQL replayed", f"{floor}/replay/me", _lua()),
            ("GET /assessments (first page)", pact + paths["assessments"], _lua(token=token)),
            ("GET scorecard", pact + paths["scorecard"], _lua(token=token)),
            ("GET /assessments, fresh", pact + paths["assessments"],
             _lua(token=token, fresh=True)),
            ("floor: its SQL replayed", f"{floor}/replay/assessments", _lua()),
            ("GET scorecard, fresh", pact + paths["scorecard"], _lua(token=token, fresh=True)),
            ("floor: its SQL replayed", f"{floor}/replay/scorecard", _lua()),
            ("PUT measurements (save)", save, _lua("PUT", token, body)),
            ("PUT measurements, minimal", save, _lua("PUT", token, body, minimal=True)),
            ("floor: its SQL, plainly", f"{floor}/save-floor/{fx['draft']}",
             _lua("PUT", "", body)),
            (f"PUT minimal, {len(spread)} drafts", save, _lua("PUT", token, body, minimal=True,
                                                              paths=spread)),
            ("floor: its SQL, plainly", f"{floor}/save-floor/{fx['draft']}",
             _lua("PUT", "", body, paths=[f"/save-floor/{d}" for d in fx["drafts"]]))]


def _verdict(row: dict, ceiling: dict, share_target: float) -> str:
    share = row["rps"] / ceiling["rps"]
    p99 = row["p99_ms"] / ceiling["p99_ms"] if ceiling["p99_ms"] else float("inf")
    row.update(share=round(share, 3), p99_ratio=round(p99, 2))
    ok = share >= share_target and p99 <= TARGETS["p99_ratio"] and row["errors"] == 0
    return "ok" if ok else "MISSED"


def main(argv=None) -> dict:
    args = _args(argv)
    if not shutil.which("wrk"):
        sys.exit("bench.load needs wrk: apt-get install wrk")
    app, app_url, owner_url = bench_app()
    size = ensure_region(app, app_url, owner_url, args.institutions, args.months, args.seed)
    code = region_code(args.institutions)
    email = _prepare_user(owner_url, code)
    fx = _fixtures(app, email)
    env = {"DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url,
           "REDIS_URL": _redis_url(), "SECRET_KEY": "bench-load", "CEILING_DATABASE_URL": app_url,
           "SESSION_COOKIE_SECURE": "0",  # plain HTTP on this machine
           "CEILING_EMAIL": email, "CEILING_REPLAY": _capture_replays(app, fx)}
    servers = [_serve("saas.wsgi:app", 18001, args.workers, env),
               _serve("bench.ceiling:app", 18002, args.workers, env)]
    report = {"command": "python -m bench.load " + " ".join(sys.argv[1:] if argv is None
                                                           else argv),
              "date": dt.datetime.now().isoformat(timespec="seconds"), "region": size,
              "workers": args.workers, "gunicorn": GUNICORN, "duration_s": args.duration,
              "loadavg_start": os.getloadavg(), "targets": TARGETS, "runs": {}}
    try:
        for connections in args.connections or [50, 200]:
            rows = []
            for _ in range(args.rounds):
                bare = _wrk("http://127.0.0.1:18002/bare", _lua(), connections, args.duration)
                lookup = _wrk("http://127.0.0.1:18002/lookup", _lua(), connections,
                              args.duration)
                rows += [{"name": "ceiling: bare Flask", **bare},
                         {"name": "ceiling: one indexed lookup", **lookup}]
                pact_row = None
                for name, url, script in _requests(fx):
                    row = {"name": name, **_wrk(url, script, connections, args.duration)}
                    target = TARGETS["save_share" if name.startswith("PUT") else "read_share"]
                    verdict = _verdict(row, lookup, target)
                    if name.startswith("floor"):  # the Pact request above it, as a share of it
                        row["verdict"] = f"Pact at {pact_row['rps'] / row['rps']:.2f} of it"
                    else:
                        row["verdict"], pact_row = verdict, row
                    rows.append(row)
            report["runs"][connections] = rows
            print(f"\n{connections} connections, {args.duration} s each, "
                  f"{args.workers} workers")
            print(f"  {'request':<34}{'req/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
                  f"{'errors':>8}{'share':>7}{'p99×':>6}")
            for r in rows:
                print(f"  {r['name']:<34}{r['rps']:>9.1f}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}"
                      f"{r['p99_ms']:>8.1f}{r['errors']:>8}{r.get('share', ''):>7}"
                      f"{r.get('p99_ratio', ''):>6} {r.get('verdict', '')}", flush=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    report["loadavg_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"load-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {path}")
    return report


if __name__ == "__main__":
    main()
