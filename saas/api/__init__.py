"""REST API under /api/v1 (flask-smorest). Views parse, call one service, serialize."""

from __future__ import annotations

import importlib

RESOURCES = ["auth", "me", "institutions", "templates", "agreements", "agreement_requests",
             "assessments", "evidence", "findings", "measures", "notifications",
             "rectifications", "exports", "users"]


def register_api(api) -> None:
    from saas.api.errors import register_error_handlers

    register_error_handlers(api._app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/tokens"}
    )
    for name in RESOURCES:
        module = importlib.import_module(f"saas.api.{name}")
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.URL}")
