"""Security headers on every response: what a browser may load, frame and use."""

from __future__ import annotations

from flask import current_app, request

DASHBOARDS = "/dashboards/"


def content_security_policy(path: str) -> str:
    """Scripts only from this site's files, never inline; the dashboards' own inline
    scripts (Dash's renderer) by their hashes. Styles may be inline: Bootstrap, Dash and
    ReDoc set them at run time, and a style cannot run code."""
    scripts = ["'self'"]
    dashboards = current_app.extensions.get("pact_dashboards")
    if path.startswith(DASHBOARDS) and dashboards is not None:
        scripts += list(dashboards.csp_hashes())
    return "; ".join([
        "default-src 'self'",
        f"script-src {' '.join(scripts)}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",  # photo previews before upload, charts' images
        "worker-src 'self' blob:",  # ReDoc's search
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy(request.path))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # the site's own pages may take a photo on site; nothing needs the microphone,
    # the location or payment, and no embedded frame may ask for any of them
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
    if request.is_secure:  # behind TLS, browsers keep to it
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_SECONDS']}")
    return response
