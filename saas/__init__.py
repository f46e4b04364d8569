"""Pact: the Flask application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, jsonify, request, session
from flask_babel import gettext
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from saas import config as config_module
from saas.extensions import api as rest_api
from saas.extensions import babel, cache, csrf, db, login_manager, migrate, ping_when_idle
from saas.headers import add_security_headers
from tenants.context import for_user, reset_context, set_context

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config_module.from_environment(overrides))
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf_unless_bearer below
    _init_extensions(app)
    from saas import guards
    from saas.api.common import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: ids fit their columns
    guards.register(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    from saas.cli import register_commands

    register_commands(app)
    if app.config["PROXY_HOPS"]:  # behind a load balancer: the client's address and scheme
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _init_extensions(app: Flask) -> None:
    from saas import i18n, models  # noqa: F401  (models register their tables)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine, app.config["DB_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True,
                     compare_type=True)
    from saas.auth import SessionInterface

    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = "请先登录"
    login_manager.localize_callback = gettext  # the message in the user's language
    login_manager.session_protection = "strong"
    translations = i18n.compile_catalogs(Path(app.config["INSTANCE_DIR"]) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    csrf.init_app(app)
    rest_api.init_app(app)
    redis_url = app.config.get("REDIS_URL")
    # Shared by every worker: Redis when configured, else files in the instance folder
    # (the embedded default serves with several workers too: a write in one must retire
    # the figures every other keeps)
    cache.init_app(app, config={
        "CACHE_TYPE": "RedisCache" if redis_url else "FileSystemCache",
        "CACHE_REDIS_URL": redis_url or None, "CACHE_KEY_PREFIX": "pact:",
        "CACHE_DIR": str(Path(app.config["INSTANCE_DIR"]) / "cache"),
        "CACHE_DEFAULT_TIMEOUT": app.config.get("DASHBOARD_CACHE_SECONDS", 300)})
    from saas.services import (
        rank_model,  # noqa: F401  (its listeners keep the ranks' rows)
        region_cache,  # noqa: F401  (its listeners retire what is kept per region)
    )


def _register_blueprints(app: Flask) -> None:
    from saas.api import register_api
    from saas.web import web

    register_api(rest_api)
    app.register_blueprint(web)
    from dash_app import mount_dashboards

    mount_dashboards(app)


def _register_request_hooks(app: Flask) -> None:
    from saas.auth import load_user_from_request, load_user_from_session

    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_request)

    @app.before_request
    def _tenant_context():
        g.tenant_token = set_context(None)
        if current_user.is_authenticated:
            if "_user_id" in session:  # a cookie session, not a bearer token
                session.permanent = True  # idle timeout, refreshed on every request
            set_context(for_user(current_user))

    @app.before_request
    def _csrf_for_cookie_sessions():
        """Forms and cookie-authenticated API calls need the CSRF token; bearer calls don't."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.path.startswith("/dashboards/"):
            return  # Dash callbacks only read; they never change state
        if request.path.startswith("/api/") and "_user_id" not in session:
            return  # bearer token or anonymous: no ambient cookie credential to forge
        csrf.protect()

    @app.teardown_request
    def _clear_context(exc=None):
        token = g.pop("tenant_token", None)
        if token is not None:
            reset_context(token)

    app.after_request(add_security_headers)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        """200 or 503; what each component said only to a probe that shows READYZ_TOKEN
        (X-Probe-Token), since it names hosts and errors."""
        from saas.health import may_see_details, readiness

        checks = readiness()
        ok = all(c["ok"] for c in checks.values())
        status = 200 if ok else 503
        if not may_see_details(request.headers.get("X-Probe-Token")):
            return "", status
        return jsonify(status="ok" if ok else "unavailable", checks=checks), status
