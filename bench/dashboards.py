"""The bureau dashboards at province scale: server time, its SQL floor and the ratio.

    DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_pages \\
    DATABASE_OWNER_URL=postgresql+psycopg://postgres@127.0.0.1/pact_pages \\
    .venv/bin/python -m bench.dashboards --institutions 20000

Seeds (or reuses) the region with ``pact seed-scale`` (findings, measures and ledger items
included), then as the region's bureau user, through the Flask test client and the Dash
endpoints a browser calls, times (median of ``--runs``):

* the overview page's data callback, cold (the cache emptied before each run) and cached;
* a grid block of 100 rows sorted by score (cold);
* an institution's drill-down (cold);

and beside each the plain SQL returning the same figures (the floor: as bench.pages times
it, the app role in the user's row-level security context, run in turns with the page so
that a slow moment of the host weighs on both) and the ratio; then
the bytes the first paint of the overview transfers (the page, its layout, its callbacks'
answers, without Dash's and Plotly's JavaScript, which the browser caches). Targets:
overview ≤ 500 ms cold and ≤ 50 ms cached, grid block and drill-down ≤ 200 ms, each ≤ 3× its
floor, first paint ≤ 1 MB. Writes bench/results/dashboards-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pages import (  # noqa: E402
    LATEST_SCORES,
    _login,
    _paired,
    _prepare_user,
    bench_app,
    ensure_region,
    overview_floor,
    region_code,
)  # noqa: E402
from bench.scoring import RESULTS  # noqa: E402

TARGETS = {"overview_cold_ms": 500.0, "overview_cached_ms": 50.0, "grid_ms": 200.0,
           "drilldown_ms": 200.0, "floor_ratio": 3.0, "first_paint_bytes": 1_000_000}
PERIOD = "2026-11"  # the last closed month of the seeded year: the overview's default


def _args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, default=20000)
    parser.add_argument("--months", type=int, default=11)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def _page_body(path: str, search: str) -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"]}


def _grid_body(view: dict) -> dict:
    return {"output": "grid.getRowsResponse",
            "outputs": {"id": "grid", "property": "getRowsResponse"},
            "inputs": [{"id": "grid", "property": "getRowsRequest", "value": {
                "startRow": 0, "endRow": 100, "sortModel": [{"colId": "score",
                                                             "sort": "desc"}]}}],
            "state": [{"id": "view", "property": "data", "value": view}],
            "changedPropIds": ["grid.getRowsRequest"]}


def _measure(app, owner_url: str, code: str, runs: int) -> dict:
    from saas.extensions import cache, db
    from saas.models import User
    from tenants.context import acting_as, for_user

    email = _prepare_user(owner_url, code)
    web = app.test_client()
    _login(web, email)
    web.get("/dashboards/")
    owner = sa.create_engine(owner_url)  # outside any tenant: row-level security aside
    with owner.connect() as conn:
        user_id, region_id = conn.execute(sa.text(
            "SELECT id, region_id FROM users WHERE email = :e"), {"e": email}).one()
        institution_id = conn.execute(sa.text(
            "SELECT institution_id FROM rectification_items WHERE region_id = :r LIMIT 1"),
            {"r": region_id}).scalar()
    owner.dispose()

    def post(body):
        def call():
            response = web.post("/dashboards/_dash-update-component", json=body)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            return response
        return call

    def cold(call):
        def run():
            with app.app_context():
                cache.clear()
            call()
        return run

    search = f"?period={PERIOD}"
    overview = post(_page_body("/dashboards/", search))
    grid = post(_grid_body({"period": PERIOD}))
    drill = post(_page_body(f"/dashboards/institution/{institution_id}", search))
    def floor(sql: str, **params):
        """The plain statements, as bench.pages times its floors: the app role in the
        user's row-level security context, in a transaction of their own, so the tenant
        settings are made again, as for a request."""
        def run():
            with app.app_context(), acting_as(for_user(db.session.get(User, user_id))):
                for statement in sql.split(";"):
                    if statement.strip():
                        db.session.execute(sa.text(statement), {"r": region_id, **params}).all()
                db.session.rollback()
        return run

    floors = {
        # every figure of the overview, each its plain statement
        "overview": floor(overview_floor(PERIOD)),
        "grid": floor(f"SELECT * FROM ({LATEST_SCORES}) l ORDER BY total DESC NULLS LAST"
                      " LIMIT 100"),
        # every figure of the drill-down, each its plain statement
        "drill-down": floor(
            "SELECT * FROM institutions WHERE id = :i;"
            " SELECT * FROM assessments WHERE institution_id = :i AND total IS NOT NULL"
            " ORDER BY period_end DESC LIMIT 12;"
            " SELECT m.*, i.* FROM measurements m JOIN indicators i ON i.id = m.indicator_id"
            " JOIN assessments a ON a.id = m.assessment_id WHERE a.institution_id = :i;"
            " SELECT * FROM points_entries WHERE institution_id = :i ORDER BY id;"
            " SELECT * FROM measures WHERE institution_id = :i ORDER BY id DESC LIMIT 20;"
            " SELECT * FROM rectification_items WHERE institution_id = :i"
            " ORDER BY due_date LIMIT 50", i=institution_id),
    }
    rows = []
    for name, run, base in (("overview data callback (cold)", cold(overview), "overview"),
                            ("overview data callback (cached)", overview, "overview"),
                            ("grid block of 100 by score (cold)", cold(grid), "grid"),
                            ("drill-down (cold)", cold(drill), "drill-down")):
        server, bottom = _paired(run, floors[base], runs)
        rows.append({"what": name, "server_ms": round(server, 1), "floor_ms": round(bottom, 1),
                     "ratio": round(server / bottom, 2) if bottom else None})
        print(f"  {name:<36} {server:8.1f} ms   floor {bottom:7.1f} ms   "
              f"×{server / bottom:5.2f}", flush=True)
    with app.app_context():
        cache.clear()
    paint = sum(len(r.data) for r in (
        web.get(f"/dashboards/{search}"), web.get("/dashboards/_dash-layout"),
        web.get("/dashboards/_dash-dependencies"), overview(), grid()))
    print(f"  first paint of the overview: {paint / 1024:.0f} KB (data, without the scripts)")
    return {"rows": rows, "first_paint_bytes": paint}


def main(argv=None) -> dict:
    args = _args(argv)
    app, app_url, owner_url = bench_app()
    code = region_code(args.institutions)
    size = ensure_region(app, app_url, owner_url, args.institutions, args.months, args.seed)
    print(f"region {code}: {size}", flush=True)
    report = {"command": "python -m bench.dashboards " + " ".join(
                  sys.argv[1:] if argv is None else argv),
              "date": dt.datetime.now().isoformat(timespec="seconds"), "targets": TARGETS,
              "size": size, **_measure(app, owner_url, code, args.runs)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"dashboards-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"written {path}")
    return report


if __name__ == "__main__":
    main()
