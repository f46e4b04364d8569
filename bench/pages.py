"""Every page at province scale: server time, its SQL floor and the ratio.

    DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_pages \\
    DATABASE_OWNER_URL=postgresql+psycopg://postgres@127.0.0.1/pact_pages \\
    .venv/bin/python -m bench.pages --institutions 20000 --institutions 2000

For each size it seeds the region with ``pact seed-scale`` (unless a region of that size
is already there; one region code per size), then, as the region's bureau user (the app
role: row-level security on), times each page in-process through the Flask test client
(``--runs`` times, the median): the HTML lists (first page and a page deep in the list),
the API lists (first and deep page), a scorecard (HTML and API), the overview's read
model (the dashboard callback's data) and one measurement save. Beside each: the SQL
floor, the plain statements returning the same figures (a list's: its rows and what
they show of other tables, and on an HTML page its top bar and form choices; a
scorecard's: its assessment, indicators, measurements, history and rank counts; a
save's: its reads, writes and audit entry, committed, and the scorecard's when it
answers with one), timed on the same connection settings in turns with the page, and
the ratio. With two sizes it prints the growth from the smaller to the larger. Also
beside each read: its own SQL, the statements the page sent, captured and sent again
with nothing around them, so that the ratio to it is the page's Python alone. Writes
bench/results/pages-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ceiling import send_save  # noqa: E402
from bench.scoring import (  # noqa: E402
    RESULTS,
    _ensure_database,
    _owner_sql,
    _region_size,
    _seed,
    _urls,
)

PASSWORD = "Bench-pages-2026"
TARGETS = {"server_ms": 200.0, "floor_ratio": 3.0, "growth": 1.5}


def _args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, action="append",
                        help="region size(s); default 20000 and 2000")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


# A list's figures, each its plain statement, as the scorecard's are: the page's rows with
# what each row shows of other tables (an assessment's institution in HTML, an agreement's
# institution and template; for the first page's institutions ``:ids``, each one's
# current agreement, latest score of a counting kind ``:kinds`` and points in ``:year``).
# An HTML page also shows its top bar (the signed-in user ``:u``, the unread count) and a
# new-item form's first choices (agreements open to a new assessment, ``:open``). A page
# of rows is chosen first, then joined: joined first, the planner (blind to the table
# sizes under row-level security) joins the whole region before sorting.
LIST_ROWS = {
    "institutions": "SELECT * FROM institutions WHERE region_id = :r ORDER BY code, id"
                    " LIMIT 51",
    "assessments": "SELECT * FROM assessments WHERE region_id = :r"
                   " ORDER BY period_start DESC, id DESC LIMIT 51",
    "agreements": "SELECT a.*, i.name, t.code, t.version FROM (SELECT * FROM agreements"
                  " WHERE region_id = :r ORDER BY start DESC, number DESC, id DESC LIMIT 51) a"
                  " JOIN institutions i ON i.id = a.institution_id"
                  " JOIN templates t ON t.id = a.template_id"
                  " ORDER BY a.start DESC, a.number DESC, a.id DESC",
}
HTML_ROWS = {"assessments": "SELECT a.*, i.name FROM (SELECT * FROM assessments"
                            " WHERE region_id = :r ORDER BY period_start DESC, id DESC"
                            " LIMIT 51) a JOIN institutions i ON i.id = a.institution_id"
                            " ORDER BY a.period_start DESC, a.id DESC"}
INSTITUTION_FIGURES = (
    "SELECT DISTINCT ON (institution_id) institution_id, id, status FROM agreements"
    " WHERE region_id = :r AND institution_id = ANY(:ids)"
    " ORDER BY institution_id, start DESC, id DESC",
    "SELECT DISTINCT ON (institution_id) institution_id, total, grade FROM assessments"
    " WHERE region_id = :r AND institution_id = ANY(:ids) AND total IS NOT NULL"
    " AND kind = ANY(:kinds) ORDER BY institution_id, period_end DESC, id DESC",
    "SELECT agreement_id, sum(points) FROM points_entries WHERE region_id = :r"
    " AND year = :year AND agreement_id IN (SELECT id FROM agreements WHERE region_id = :r"
    " AND institution_id = ANY(:ids)) GROUP BY agreement_id")
TOP_BAR = ("SELECT * FROM users WHERE id = :u",
           "SELECT count(*) FROM notifications WHERE user_id = :u AND NOT read")
FORM_CHOICES = {
    "assessments": ("SELECT a.id, a.number, i.name FROM (SELECT id, number, institution_id"
                    " FROM agreements WHERE region_id = :r AND status = ANY(:open)"
                    " ORDER BY number LIMIT 20) a"
                    " JOIN institutions i ON i.id = a.institution_id ORDER BY a.number",),
    "agreements": ("SELECT * FROM institutions WHERE region_id = :r ORDER BY code, id"
                   " LIMIT 20",
                   "SELECT * FROM templates WHERE status = 'published'"
                   " ORDER BY code, version DESC"),
}


def list_floor(name: str, html: bool = False) -> str:
    """The plain statements of a list page's figures (``;`` between them)."""
    rows = HTML_ROWS.get(name, LIST_ROWS[name]) if html else LIST_ROWS[name]
    statements = [rows]
    if name == "institutions":
        statements += INSTITUTION_FIGURES
    if html:
        statements += [*TOP_BAR, *FORM_CHOICES.get(name, ())]
    return "; ".join(statements)


# The overview's figures, each its plain statement: the filter bar's choices, the
# latest score of each institution by grade, the institutions red this period, the open
# and overdue ledger items, the live measures (bench.dashboards shares them).
LATEST_SCORES = (
    "SELECT DISTINCT ON (institution_id) institution_id, total, grade FROM assessments"
    " WHERE region_id = :r AND total IS NOT NULL AND period_end <= '2026-11-30'"
    " AND kind IN ('self','routine','special','flight','random','annual')"
    " ORDER BY institution_id, period_end DESC, id DESC")


def overview_floor(period: str) -> str:
    return "; ".join((
        "SELECT level, district FROM institutions WHERE region_id = :r GROUP BY level, district",
        f"SELECT grade, count(*) FROM ({LATEST_SCORES}) l GROUP BY grade",
        "SELECT count(DISTINCT institution_id) FROM assessments WHERE region_id = :r"
        f" AND period = '{period}' AND status IN ('submitted', 'finalized')"
        " AND kind IN ('self','routine','special','flight','random','annual')"
        " AND red_count > 0",
        "SELECT count(*) FILTER (WHERE status <> 'closed'), count(*) FILTER"
        " (WHERE status <> 'closed' AND due_date < current_date)"
        " FROM rectification_items WHERE region_id = :r AND NOT private",
        "SELECT measure, count(*) FROM measures WHERE region_id = :r AND status IN"
        " ('proposed', 'notified', 'appealed', 'decided', 'effective') GROUP BY measure"))


def _paired(server, floor, runs: int, *more) -> tuple[float, ...]:
    """Median milliseconds of ``server()``, of ``floor()`` and of each of ``more``, run in
    turns (after one warm-up of each), so that a host's slow moment weighs on all alike."""
    functions = (server, floor, *more)
    for fn in functions:
        fn()
    times: list[list] = [[] for _ in functions]
    for _ in range(runs):
        for fn, out in zip(functions, times, strict=True):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
    return tuple(statistics.median(t) for t in times)


def sent_by(engine, call) -> list[tuple]:
    """The statements (and parameters) ``call()`` sends, after one call beforehand, so
    that what a request keeps for good (a count, the due indicators) is kept already."""
    sent = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    call()
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return sent


def _own_sql(engine, page):
    """The statements ``page()`` sends (:func:`sent_by`), as a function that sends them
    again on one connection with nothing around them (rolled back): what the page costs
    the database, against which its Python is measured."""
    sent = sent_by(engine, page)

    def replay():
        with engine.connect() as conn:
            for statement, parameters in sent:
                result = conn.exec_driver_sql(statement, parameters)
                if result.returns_rows:
                    result.all()
            conn.rollback()
    return replay


def _prepare_user(owner_url: str, region_code: str) -> str:
    """The seeded bureau user, with a known password (synthetic region only)."""
    from werkzeug.security import generate_password_hash

    email = f"bureau@r{region_code}.scale.example"
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET password_hash = :h WHERE email = :e"),
                     {"h": generate_password_hash(PASSWORD), "e": email})
    engine.dispose()
    return email


def _login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf})
    assert response.status_code == 302, response.status_code


def _measure_region(app, owner_url: str, size: dict, code: str, runs: int) -> list[dict]:
    from saas.domain.permissions import COUNTING_KINDS
    from saas.extensions import db
    from saas.models import User
    from saas.services.assessments import OPEN_AGREEMENT_STATES
    from saas.services.auth import issue_token
    from saas.timeutil import today_local
    from tenants.context import acting_as, for_user
    from tenants.isolation import SET_TENANT, _rls_settings

    email = _prepare_user(owner_url, code)
    web = app.test_client()
    _login(web, email)
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        token = issue_token(user.id, "bench")
        region_id = user.region_id
        db.session.remove()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}

    def get_api(url):
        response = api.get("/api/v1" + url, headers=bearer)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_json()

    def get_web(url):
        response = web.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    # Each page runs as a request does, in an app context of its own (one pushed around
    # them would lend every request its session, transaction and signed-in user).
    with app.app_context():
        settings = _rls_settings(for_user(db.session.get(User, user.id)))
        engine = db.engine
    floor_connection = engine.connect()

    def floor(sql: str, **params):
        """The plain statements (``;`` between them) on one connection, as the app role
        in the region's RLS context: their own transaction, so the tenant settings are
        made again, as for a request."""
        def run():
            floor_connection.execute(SET_TENANT, settings)
            for statement in sql.split(";"):
                result = floor_connection.execute(sa.text(statement),
                                                  {"r": region_id, **params})
                if result.returns_rows:
                    result.all()
            floor_connection.rollback()
        return run

    deep = {}  # a page deep in each list: its cursor, 50 rows before the end
    deep["institutions"] = _cursor_near_end(app, user, "institutions")
    deep["assessments"] = _cursor_near_end(app, user, "assessments")
    deep["agreements"] = _cursor_near_end(app, user, "agreements")

    with app.app_context():
        with acting_as(for_user(db.session.get(User, user.id))):
            assessment_id = db.session.execute(sa.text(
                "SELECT id FROM assessments WHERE region_id = :r AND period = '2026-06'"
                " ORDER BY total, id LIMIT 1 OFFSET :o"),
                {"r": region_id, "o": size["institutions"] // 2}).scalar()
            agreement_id, institution_id, total, peer = db.session.execute(sa.text(
                "SELECT a.agreement_id, a.institution_id, a.total,"
                " i.kind || '/' || coalesce(i.level, '') FROM assessments a"
                " JOIN institutions i ON i.id = a.institution_id WHERE a.id = :a"),
                {"a": assessment_id}).one()
        db.session.remove()
    drafts = get_api("/assessments?kind=routine&status=draft&page_size=1")["items"]
    if drafts:  # the previous run's
        draft_id = drafts[0]["id"]
    else:
        draft = api.post("/api/v1/assessments", headers=bearer,
                         json={"agreement_id": agreement_id, "kind": "routine",
                               "period": "2026-06"})
        assert draft.status_code == 201, draft.get_json()
        draft_id = draft.get_json()["id"]
    # an indicator of the draft's own template (a previous run's draft may be of another)
    code_of_first = get_api(f"/assessments/{draft_id}/scorecard")["indicators"][0]["code"]
    values = iter(range(10**6))

    def save(minimal=False):
        headers = {**bearer, "Prefer": "return=minimal"} if minimal else bearer
        response = api.put(f"/api/v1/assessments/{draft_id}/measurements", headers=headers,
                           json=[{"indicator_code": code_of_first,
                                  "value": next(values) % 100 / 100}])
        assert response.status_code == (204 if minimal else 200), response.get_json()

    floor_connection.execute(SET_TENANT, settings)
    ids = [row[0] for row in floor_connection.execute(sa.text(
        "SELECT id FROM institutions WHERE region_id = :r ORDER BY code, id LIMIT 50"),
        {"r": region_id})]
    floor_connection.rollback()
    # what the lists' figures depend on, as Pact has it: the first page's institutions,
    # the kinds whose scores count, this year, the agreements a new assessment may use
    shown = {"ids": ids, "kinds": list(COUNTING_KINDS), "year": today_local().year,
             "open": list(OPEN_AGREEMENT_STATES)}
    pages = []
    for name in LIST_ROWS:
        html_floor = floor(list_floor(name, html=True), **shown, u=user.id)
        api_floor = floor(list_floor(name), **shown)
        for kind, get, base in (("HTML", get_web, html_floor), ("API", get_api, api_floor)):
            pages.append((f"{kind} /{name} (first page)", lambda n=name, g=get: g(f"/{n}"),
                          base))
            pages.append((f"{kind} /{name} (deep page)",
                          lambda n=name, g=get: g(f"/{n}?after={deep[n]}"), base))
    # every figure of the scorecard, each its plain statement: the assessment, the
    # template's indicators with their clauses and settings, the measurements, the
    # history, the rank's counts
    scorecard_sql = (
        "SELECT * FROM assessments WHERE id = :a;"
        " SELECT i.*, c.number, t.settings FROM indicators i"
        " JOIN clauses c ON c.id = i.clause_id JOIN templates t ON t.id = i.template_id"
        " JOIN agreements ag ON ag.template_id = t.id WHERE ag.id = :ag ORDER BY i.position;"
        " SELECT * FROM measurements WHERE assessment_id = :a;"
        " SELECT id, period, total, grade FROM assessments WHERE institution_id = :i"
        " AND kind = 'self' AND status IN ('submitted', 'finalized')"
        " ORDER BY period_start DESC LIMIT 12;"
        " SELECT count(*), count(*) FILTER (WHERE total > :t),"
        " count(*) FILTER (WHERE peer_group = :pg),"
        " count(*) FILTER (WHERE peer_group = :pg AND total > :t) FROM assessments"
        " WHERE region_id = :r AND ranked_as = 'self' AND period = '2026-06'"
        " AND institution_id <> :i")
    scorecard_params = {"r": region_id, "a": assessment_id, "ag": agreement_id,
                        "i": institution_id, "t": total, "pg": peer}
    scorecard_floor = floor(scorecard_sql, **scorecard_params)
    pages.append(("API scorecard", lambda: get_api(f"/assessments/{assessment_id}/scorecard"),
                  scorecard_floor))
    # the page also shows its top bar, the institution's name and the indicators already
    # raised as findings
    scorecard_page = "; ".join((
        scorecard_sql, *TOP_BAR, "SELECT name FROM institutions WHERE id = :i",
        "SELECT i.code FROM findings f JOIN indicators i ON i.id = f.indicator_id"
        " WHERE f.assessment_id = :a AND f.status <> 'dismissed'"))
    pages.append(("HTML scorecard", lambda: get_web(f"/assessments/{assessment_id}/scorecard"),
                  floor(scorecard_page, u=user.id, **scorecard_params)))
    pages.append(("overview (dashboard callback data)", lambda: _overview(app, user.id),
                  floor(overview_floor("2026-11"))))
    pages.append(("API /me", lambda: get_api("/me"),
                  floor("SELECT u.*, t.* FROM users u JOIN api_tokens t ON t.user_id = u.id"
                        " WHERE t.token_hash = :h", h="x")))

    def save_floor(scorecard: bool):
        """A save's statements written plainly (bench.ceiling.send_save: its reads, its
        writes and its audit entry), committed; with the scorecard's statements when the
        answer carries a scorecard."""
        floor_values = iter(range(10**6))

        def run():
            send_save(floor_connection, str(region_id), draft_id,
                      next(floor_values) % 100 / 100)
            if scorecard:
                for statement in scorecard_sql.split(";"):
                    floor_connection.execute(sa.text(statement), scorecard_params).all()
            floor_connection.commit()
        return run

    pages.append(("measurement save (PUT)", save, save_floor(scorecard=True)))
    pages.append(("measurement save, return=minimal", lambda: save(minimal=True),
                  save_floor(scorecard=False)))
    out = []
    print(f"  {'page':<40} {'server':>8}      {'floor':>13}   {'×':>6}   its own SQL      ×")
    for name, page, sql_floor in pages:
        if name.startswith("measurement save"):  # its writes cannot be sent twice
            (server, base), own = _paired(page, sql_floor, runs), None
        else:
            server, base, own = _paired(page, sql_floor, runs, _own_sql(engine, page))
        out.append({"page": name, "server_ms": round(server, 1), "floor_ms": round(base, 2),
                    "ratio": round(server / base, 1) if base else None,
                    "own_sql_ms": own and round(own, 2),
                    "own_sql_ratio": own and round(server / own, 1)})
        met = (server <= TARGETS["server_ms"]
               and server / base <= TARGETS["floor_ratio"])
        mine = f"{own:8.2f} ms  ×{server / own:5.1f}" if own else f"{'':18}"
        print(f"  {name:<40} {server:8.1f} ms   floor {base:7.2f} ms   "
              f"×{server / base:6.1f}   {mine}  {'ok' if met else 'MISSED'}", flush=True)
    floor_connection.close()
    return out


def _cursor_near_end(app, user, name: str) -> str:
    """A keyset cursor 50 rows before the end of the list (as the list orders it)."""
    from saas.extensions import db
    from saas.models import User
    from saas.services import agreements, assessments, institutions, paging
    from tenants.context import acting_as, for_user

    statements = {"institutions": institutions.list_statement(),
                  "assessments": assessments.list_statement(),
                  "agreements": agreements.list_statement()}
    with app.app_context():
        with acting_as(for_user(db.session.get(User, user.id))):
            statement = statements[name]
            keys = paging._order_keys(statement)
            total = paging.cached_count(statement)[0]
            row = db.session.execute(statement.offset(max(total - 51, 0)).limit(1)).scalar()
            cursor = paging._encode(row, keys)
        db.session.remove()
    return cursor


def _overview(app, user_id: int):
    from saas.extensions import db
    from saas.models import User
    from saas.services import dashboards
    from tenants.context import acting_as, for_user

    with app.test_request_context():
        with acting_as(for_user(db.session.get(User, user_id))):
            dashboards._overview(dashboards.View.of({}))  # the figures, not the cache
        db.session.remove()


def region_code(institutions: int) -> str:
    """One synthetic region per size: 2000 institutions → 339902."""
    return str(339900 + institutions // 1000)


def ensure_region(app, app_url: str, owner_url: str, n: int, months: int, seed: int) -> dict:
    """The region of ``n`` institutions, seeded and scored unless it is already there at
    that size, with fresh planner statistics; its size (see bench.scoring._region_size)."""
    code = region_code(n)
    size = _region_size(owner_url, code)
    # the measured saves add a draft or so: more assessments than seeded is fine
    if size is None or size["institutions"] != n or size["assessments"] < n * months:
        seed_args = argparse.Namespace(institutions=n, months=months, region_code=code,
                                       seed=seed)
        _seed(seed_args, app_url, owner_url, reset=size is not None)
        # the seed leaves totals empty (--no-score): score them as the app does
        from saas.services.bulk_scoring import recompute_region
        from tenants.context import TenantContext, acting_as

        size = _region_size(owner_url, code)
        with app.app_context(), acting_as(TenantContext(region_id=size["region_id"],
                                                        role="bureau_admin")):
            recompute_region(size["region_id"])
    _owner_sql(owner_url, "VACUUM (ANALYZE) institutions, agreements, assessments")
    return size


def bench_app():
    """The app on the bench database, created if missing and migrated, with its URLs:
    ``(app, app_url, owner_url)`` (bench.pages, bench.dashboards and bench.load)."""
    os.environ.setdefault("PACT_INSTANCE", str(ROOT / "instance" / "bench"))
    app_url, owner_url = _urls()
    _ensure_database(owner_url)
    from saas import create_app

    # every page timed as computed, never a kept answer (bench.load measures those)
    app = create_app({"SQLALCHEMY_DATABASE_URI": app_url, "DATABASE_OWNER_URL": owner_url,
                      "API_KEPT_READS": False})
    with app.app_context():
        from saas.dbadmin import upgrade

        upgrade()
    return app, app_url, owner_url


def main(argv=None) -> dict:
    args = _args(argv)
    sizes = args.institutions or [20000, 2000]
    app, app_url, owner_url = bench_app()
    report = {"command": "python -m bench.pages " + " ".join(sys.argv[1:] if argv is None
                                                            else argv),
              "date": dt.datetime.now().isoformat(timespec="seconds"),
              "loadavg_start": os.getloadavg(), "targets": TARGETS, "sizes": {}}
    for n in sizes:
        code = region_code(n)
        size = ensure_region(app, app_url, owner_url, n, args.months, args.seed)
        print(f"region {code}: {size}", flush=True)
        report["sizes"][n] = _measure_region(app, owner_url, size, code, args.runs)
    if len(sizes) == 2:
        big, small = (report["sizes"][max(sizes)], report["sizes"][min(sizes)])
        print(f"growth {min(sizes)} → {max(sizes)} institutions:")
        for b, s in zip(big, small, strict=True):
            growth = b["server_ms"] / s["server_ms"] if s["server_ms"] else None
            b["growth"] = round(growth, 2) if growth else None
            shows_region = b["page"].startswith("overview")
            met = shows_region or growth <= TARGETS["growth"]
            print(f"  {b['page']:<40} ×{growth:5.2f}  "
                  f"{'(shows the region)' if shows_region else 'ok' if met else 'MISSED'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pages-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {path}")
    return report


if __name__ == "__main__":
    main()
