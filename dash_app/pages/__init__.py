"""The dashboard pages (Dash pages), registered by dash_app.mount_dashboards. Each
``layout(**query)`` builds its page from saas.services.dashboards inside the request, so
the signed-in user's tenant scopes every figure; ``sheets(view)`` gives the tables its
export button writes."""
