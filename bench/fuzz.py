"""Fuzz the REST API over its own OpenAPI document (schemathesis), as each role.

    DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_fuzz \\
    DATABASE_OWNER_URL=postgresql+psycopg://postgres@127.0.0.1/pact_fuzz \\
    .venv/bin/python -m bench.fuzz --examples 25

A fresh database with the demo region (`pact demo --no-serve`'s data), then every
operation of /api/v1/openapi.json with valid and with invalid input, as each of the
demo's five roles. A failure is any 5xx, or a response that breaks its documented schema
(status, content type, body). Prints the counts per role and exits 1 on any failure.
The CI version is tests/test_fuzz.py: the same runner with a few examples per operation.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

DEMO_ROLES = {
    "bureau_admin": "zhou.jianhua@xhyb.example",
    "bureau_inspector": "chen.xiaoyan@xhyb.example",
    "institution_admin": "liu.fang@xhzxyy.example",
    "institution_staff": "zhao.ming@xhzxyy.example",
    "mock_inspector": "wu.gang@xhzxyy.example",
}


# Revokes the very token the run sends (tests/test_auth.py covers it).
ENDS_THE_RUN = {("DELETE", "/api/v1/auth/tokens")}


def fuzz(app, headers: dict, examples: int) -> dict:
    """Every operation, positive and negative input, ``examples`` cases each, sent with
    ``headers``: ``{"requests", "statuses": Counter, "failures": [text]}``."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    report = {"requests": 0, "statuses": Counter(), "failures": [], "unsatisfiable": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in ENDS_THE_RUN:
            continue
        for mode in (schemathesis.GenerationMode.POSITIVE,
                     schemathesis.GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, headers, examples, checks, report)
    return report


def _fuzz_operation(operation, mode, headers, examples, checks, report) -> None:
    @given(operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        report["requests"] += 1
        report["statuses"][response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported, not raised
            first = str(exc).strip().splitlines()[:6]
            report["failures"].append(
                f"{operation.method.upper()} {operation.path} ({mode.value}) → "
                f"{response.status_code}: {' | '.join(first)}\n    {case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable:  # nothing invalid to send (no parameters, no body): nothing to do
        report["unsatisfiable"] += 1
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - what a case hit
        first = str(exc).strip().splitlines()[:8]
        report["failures"].append(f"{operation.method.upper()} {operation.path} "
                                  f"({mode.value}): {' | '.join(first)}")


# --------------------------------------------------------------------------- main


def _args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25,
                        help="cases per operation and mode (≥ 2 000 requests per role)")
    return parser.parse_args(argv)


def _fresh_database(owner_url: str) -> None:
    url = sa.engine.make_url(owner_url)
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    server.dispose()


def main(argv=None) -> int:
    args = _args(argv)
    app_url = os.environ.get("DATABASE_URL", "")
    owner_url = os.environ.get("DATABASE_OWNER_URL", "")
    if not (app_url.startswith("postgresql") and owner_url):
        sys.exit("bench.fuzz needs DATABASE_URL (the app role) and DATABASE_OWNER_URL")
    _fresh_database(owner_url)
    from saas import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": app_url, "DATABASE_OWNER_URL": owner_url})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve"])
    if result.exit_code != 0:
        sys.exit(result.output)
    failed = False
    print(f"{'role':<20}{'requests':>10}{'2xx':>7}{'4xx':>7}{'5xx':>7}{'failures':>10}{'s':>8}")
    for role, email in DEMO_ROLES.items():
        token = runner.invoke(args=["users", "token", email]).output.strip()
        started = time.perf_counter()
        report = fuzz(app, {"Authorization": f"Bearer {token}"}, args.examples)
        s = Counter()
        for code, n in report["statuses"].items():
            s[code // 100] += n
        print(f"{role:<20}{report['requests']:>10}{s[2]:>7}{s[4]:>7}{s[5]:>7}"
              f"{len(report['failures']):>10}{time.perf_counter() - started:>8.0f}")
        print("  " + ", ".join(f"{code}: {n}" for code, n in sorted(report["statuses"].items())))
        for failure in report["failures"][:20]:
            print("  " + failure)
        failed = failed or bool(report["failures"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
