"""A Content-Security-Policy without 'unsafe-inline' for scripts (issue 13, item 7): the
pages, the API description and the dashboards run in a real browser without a single
refused script, and an injected inline script does not run."""

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/institutions", "/agreements", "/assessments", "/findings", "/templates",
         "/users", "/api/docs", "/dashboards/"]


def test_the_policy_allows_no_inline_script(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    scripts = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert scripts == "script-src 'self'"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


def test_the_dashboards_allow_dash_s_own_scripts_by_hash(app, web_as):
    page = web_as("a_bureau_admin").get("/dashboards/")
    scripts = next(d for d in page.headers["Content-Security-Policy"].split("; ")
                   if d.startswith("script-src"))
    hashes = scripts.split()[2:]
    assert hashes and all(h.startswith("'sha256-") for h in hashes)


def test_every_page_runs_without_a_refused_script(page_as, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("a_bureau_admin")
    refused = []
    # (ReDoc's "powered by" logo from a CDN is refused on purpose: no CDN)
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text and "script-src" in m.text else None)
    for path in PAGES:
        page.goto(page.base + path, wait_until="networkidle")
    assert not refused, refused
    page.goto(page.base + "/dashboards/", wait_until="networkidle")
    page.wait_for_selector("#summary .card", timeout=15000)  # Dash rendered and called back


def test_an_injected_inline_script_does_not_run(page_as, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("a_bureau_admin")
    page.goto(page.base + "/institutions")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.injected = true'; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.injected === true") is False
