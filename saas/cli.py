"""The `pact` command line (contract.md)."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup, FlaskGroup, with_appcontext

DEMO_LOGINS_NOTE = "所有演示账号的密码 / demo password: {password}"


def _create_app(*_args, **_kwargs):
    from saas import create_app

    return create_app()


class PactGroup(FlaskGroup):
    """The command group; a command that finds Redis unreachable says so in one line and
    exits 1, instead of a traceback."""

    def invoke(self, ctx):
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow

        try:
            return super().invoke(ctx)
        except (RedisDown, RedisSlow) as exc:
            reason = " ".join(str(exc).split())
            click.echo(f"Redis 不可达 / Redis unreachable (REDIS_URL): {reason}", err=True)
            ctx.exit(1)


@click.group(cls=PactGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def main():
    """Pact: 医保定点服务协议管理 (designated-service agreements)."""


def register_commands(app) -> None:
    """Commands also reachable as `flask --app saas ...`."""
    for command in (db_group, tenants_group, users_group, audit_group, agreements_group,
                    scores_group, demo, serve, worker, seed_scale):
        if command.name not in app.cli.commands:
            app.cli.add_command(command)


@click.group("db", cls=AppGroup, help="Database schema (Alembic).")
def db_group():
    pass


@db_group.command("upgrade")
def db_upgrade():
    """Migrate the database to head, as the owner role."""
    from saas.dbadmin import upgrade

    upgrade()
    click.echo("database at head")


@click.group("tenants", cls=AppGroup, help="Regions, institutions and users from spec files.")
def tenants_group():
    pass


@tenants_group.command("provision")
@click.argument("spec_file", type=click.Path(dir_okay=False))
def tenants_provision(spec_file):
    """Create or update a region from a YAML spec (idempotent)."""
    from saas.services.provisioning import provision_file
    from tenants.spec import SpecError

    try:
        report = provision_file(spec_file)
    except SpecError as exc:
        click.echo(f"规格文件有误 / invalid spec ({len(exc.errors)}):", err=True)
        for problem in exc.errors:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)
    except FileNotFoundError as exc:
        click.echo(f"找不到文件 / file not found: {exc.filename}", err=True)
        sys.exit(2)
    click.echo(report.summary())


@click.group("users", cls=AppGroup, help="Users and API tokens.")
def users_group():
    pass


def _user_or_exit(email: str):
    """The user with that e-mail, or a one-line message and exit status 2."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import User

    user = db.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()
    if user is None:
        click.echo(f"no user with e-mail {email}", err=True)
        sys.exit(2)
    return user


@users_group.command("token")
@click.argument("email")
def users_token(email):
    """Print a new API token for that user."""
    from saas.services.auth import issue_token

    click.echo(issue_token(_user_or_exit(email).id, name="cli"))


@users_group.command("unlock")
@click.argument("email")
def users_unlock(email):
    """Unlock an account locked after failed sign-ins (as its region's bureau admin)."""
    from saas.services import users
    from tenants.context import TenantContext, acting_as

    user = _user_or_exit(email)
    with acting_as(TenantContext(region_id=user.region_id, role="bureau_admin")):
        users.unlock(user.id)
    click.echo(f"{user.email} unlocked")


@click.group("audit", cls=AppGroup, help="The audit trail.")
def audit_group():
    pass


@audit_group.command("verify")
def audit_verify():
    """Check the hash chain of the audit trail."""
    from saas.services.audit import verify

    ok, count, message = verify()
    click.echo(("OK: " if ok else "TAMPERED: ") + message)
    sys.exit(0 if ok else 1)


@click.group("agreements", cls=AppGroup, help="服务协议 (agreements).")
def agreements_group():
    pass


@agreements_group.command("expire")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Expire terms ended before this day (default: today, Asia/Shanghai).")
@click.option("--region", "region_code", default=None, help="Only this region (code).")
def agreements_expire(today, region_code):
    """到期终止: expire active agreements whose term is over, end measures whose months
    ran out and terminate agreements suspended past their limit (the daily job)."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.jobs.agreements import (
        end_due_measures,
        expire_due_agreements,
        expire_due_everywhere,
    )
    from saas.models import Region
    from saas.timeutil import today_local

    today = today or today_local().isoformat()
    if region_code is None:
        results = expire_due_everywhere(today)
    else:
        region = db.session.execute(
            select(Region).where(Region.code == region_code)).scalar_one_or_none()
        if region is None:
            click.echo(f"no region with code {region_code}", err=True)
            sys.exit(2)
        due = end_due_measures(region.id, today)
        click.echo(f"region {region.id}: measures started {due['started']}, ended"
                   f" {due['ended']}, agreements terminated {due['terminated']}")
        results = {region.id: expire_due_agreements(region.id, today)}
    for region_id, result in results.items():
        done = f"{len(result)} expired {result}" if isinstance(result, list) else "queued"
        click.echo(f"region {region_id}: {done}")


@click.group("rectifications", cls=AppGroup, help="整改台账 (the rectification ledger).")
def rectifications_group():
    pass


@rectifications_group.command("remind")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Remind as of this day (default: today, Asia/Shanghai).")
def rectifications_remind(today):
    """整改提醒: items due within 3 working days and overdue items remind their person
    responsible and the institution admins, once per item and day (the daily job)."""
    from saas.jobs.rectifications import remind_everywhere

    for region_id, result in remind_everywhere(today).items():
        done = f"{result} items reminded" if isinstance(result, int) else "queued"
        click.echo(f"region {region_id}: {done}")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """rq's cron scheduler: queues the daily jobs (agreements expire, rectification
    reminders) for `pact worker`."""
    from saas.jobs import redis_connection
    from saas.jobs.schedule import cron_scheduler

    conn = redis_connection()
    if conn is None:
        click.echo("REDIS_URL is not set: run the daily jobs with `pact agreements expire`"
                   " and `pact rectifications remind` (cron).", err=True)
        sys.exit(2)
    conn.ping()
    cron_scheduler(conn).start()


@click.group("scores", cls=AppGroup, help="平衡计分卡 scores and ranks of a region.")
def scores_group():
    pass


def _region_or_exit(region_code: str):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Region

    region = db.session.execute(
        select(Region).where(Region.code == region_code)).scalar_one_or_none()
    if region is None:
        click.echo(f"no region with code {region_code}", err=True)
        sys.exit(2)
    return region


@scores_group.command("recompute")
@click.option("--region", "region_code", required=True, help="Region (统筹区) code.")
def scores_recompute(region_code):
    """Recompute every scorecard of the region, e.g. after a bulk import or a rule fix."""
    from saas.services.bulk_scoring import recompute_region

    stats = recompute_region(_region_or_exit(region_code).id)
    click.echo(f"region {region_code}: {stats['assessments']} assessments "
               f"({stats['annual']} annual) scored, "
               f"{stats['assessments_updated']} changed, in {stats['timings']['total']:.1f}s")


@scores_group.command("ranks")
@click.option("--region", "region_code", required=True, help="Region (统筹区) code.")
@click.option("--period", required=True, help="e.g. 2026-10, 2026-Q3, 2026.")
@click.option("--kind", default="self", show_default=True, help="Assessment kind.")
def scores_ranks(region_code, period, kind):
    """排名: the period's ranking in the region and the peer group, as CSV."""
    import csv

    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Institution
    from saas.services.ranks import region_ranks
    from tenants.context import TenantContext, acting_as

    region = _region_or_exit(region_code)
    rows = region_ranks(region.id, [period], (kind,))
    with acting_as(TenantContext(region_id=region.id)):
        names = {i.id: (i.code, i.name) for i in db.session.execute(
            select(Institution.id, Institution.code, Institution.name))}
    out = csv.writer(sys.stdout)
    out.writerow(["rank_region", "rank_peer", "institution_code", "institution_name",
                  "assessment_id", "total"])
    for r in rows:
        out.writerow([r["rank_region"], r["rank_peer"], *names[r["institution_id"]], r["id"],
                      r["total"]])


@click.command("seed-scale")
@with_appcontext
@click.option("--institutions", type=int, required=True, help="How many institutions.")
@click.option("--months", type=int, required=True, help="Months of 2026 (1-12), one self "
              "assessment per institution per month.")
@click.option("--region-code", default="339900", show_default=True)
@click.option("--indicators", type=int, default=30, show_default=True,
              help="Indicators due each month per template (shipped + breakdown ones).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
@click.option("--reset", is_flag=True, help="Delete the region's institutions first.")
@click.option("--no-score", is_flag=True, help="Load the values only; leave totals empty.")
def seed_scale(institutions, months, region_code, indicators, seed, reset, no_score):
    """Synthetic region data for benchmarks (PostgreSQL; SQLite up to 200 institutions)."""
    from saas.tools.seed_scale import SeedRefused
    from saas.tools.seed_scale import seed_scale as run

    try:
        report = run(institutions, months, region_code, reset=reset, seed=seed,
                     indicators=indicators, score=not no_score, echo=click.echo)
    except SeedRefused as exc:
        click.echo(f"seed-scale: {exc}", err=True)
        sys.exit(2)
    click.echo(report.summary())
    if report.recompute:
        r = report.recompute
        click.echo(f"  scored: {r['assessments']} assessments, "
                   f"{r['assessments_updated']} written, in {r['timings']['total']:.1f}s")


@click.command("demo")
@with_appcontext
@click.option("--port", default=lambda: int(os.environ.get("PORT", 8000)), show_default="8000")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare the demo, do not serve.")
def demo(port, host, no_serve):
    """Embedded default: create/upgrade the database, provision the demo region, serve."""
    from saas.dbadmin import upgrade
    from saas.domain.permissions import ROLE_LABELS_ZH
    from saas.services.provisioning import DEMO_SPEC, demo_logins, provision_file

    upgrade()
    from saas.timeutil import today_local
    from saas.tools import demo_data

    report = provision_file(DEMO_SPEC)
    history = demo_data.seed(today_local())
    base = f"http://{host}:{port}"
    click.echo(f"\nPact demo: {report.summary()}; {history} assessments of demo history")
    click.echo(f"  网页 / web:        {base}/login")
    click.echo(f"  数据看板 / dashboards: {base}/dashboards/")
    click.echo(f"  API 文档 / API docs:  {base}/api/docs")
    logins, password = demo_logins()
    click.echo("  演示账号 / demo logins:")
    for email, role, where in logins:
        click.echo(f"    {email:<32} {ROLE_LABELS_ZH.get(role, role):<8} {where}")
    click.echo("  " + DEMO_LOGINS_NOTE.format(password=password) + "\n")
    if not no_serve:
        _serve(host, port)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 8000)), show_default="8000")
def serve(host, port):
    """Serve web + API + dashboards (gunicorn where available)."""
    _serve(host, port)


def _serve(host: str, port: int) -> None:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        from flask import current_app

        current_app.run(host=host, port=port)
        return
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-w", workers, "-b",
                               f"{host}:{port}", "--access-logfile", "-", "saas.wsgi:app"])


@click.command("worker")
@with_appcontext
def worker():
    """rq worker with scheduler for the configured Redis."""
    from rq import Worker

    from saas.jobs import redis_connection

    conn = redis_connection()
    if conn is None:
        click.echo("REDIS_URL is not set: jobs run inline, no worker needed.", err=True)
        sys.exit(2)
    conn.ping()  # unreachable: one line from PactGroup, not rq's retries
    Worker(["default"], connection=conn).work(with_scheduler=True)


for _command in (db_group, tenants_group, users_group, audit_group, agreements_group,
                 rectifications_group, scores_group, demo, serve, worker, scheduler,
                 seed_scale):
    main.add_command(_command)


if __name__ == "__main__":
    main()
