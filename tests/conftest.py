"""Test fixtures: every test gets a fresh database, on SQLite always and on PostgreSQL
(connected as the non-owner app role, RLS on) where PostgreSQL answers; in CI it must.

The database is built once per backend and worker (migrated to head, tests/fixtures/
region_a.yaml and region_b.yaml provisioned) and copied for each test: a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "Test-pass-2026"
PG_HOST = os.environ.get("PACT_TEST_PG_HOST", "127.0.0.1:5432")
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}/postgres"
APP_ROLE = "pact_app"
# Unique per process: several pytest runs may share one PostgreSQL server.
WORKER = f"{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}_{os.getpid()}"
_TMP = Path(tempfile.mkdtemp(prefix=f"pact-tests-{WORKER}-"))
os.environ["PACT_INSTANCE"] = str(_TMP / "instance")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
for _var in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "STORAGE_URL"):
    os.environ.pop(_var, None)

# Who is who in the fixture regions (tests/fixtures/*.yaml).
USERS = {
    "a_bureau_admin": "admin@a.example",
    "a_bureau_inspector": "inspector@a.example",
    "a_bureau_admin2": "admin2@a.example",
    "ah1_admin": "admin@ah1.example",
    "ah1_staff": "staff@ah1.example",
    "ah1_mock": "mock@ah1.example",
    "ah2_admin": "admin@ah2.example",
    "ap1_admin": "admin@ap1.example",
    "b_bureau_admin": "admin@b.example",
    "b_bureau_inspector": "inspector@b.example",
    "bh1_admin": "admin@bh1.example",
    "bh1_staff": "staff@bh1.example",
    "bh1_mock": "mock@bh1.example",
}


def pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _pg_url(database: str, user: str) -> str:
    return f"postgresql+psycopg://{user}@{PG_HOST}/{database}"


def _pg_admin(sql: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _make_app(database_url: str, owner_url: str, **extra):
    from saas import create_app

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "DATABASE_OWNER_URL": owner_url,
              "TESTING": True, "INSTANCE_DIR": str(_TMP / "instance"),
              "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
              "STORAGE_URL": f"file://{_TMP / 'files'}"}
    config.update(extra)
    return create_app(config)


def _build(database_url: str, owner_url: str) -> None:
    from saas.dbadmin import upgrade
    from saas.extensions import db
    from saas.services.provisioning import provision_file

    app = _make_app(database_url, owner_url)
    with app.app_context():
        upgrade()
        for spec in ("region_a.yaml", "region_b.yaml"):
            provision_file(FIXTURES / spec)
        db.session.remove()
        db.engine.dispose()


# PACT_TEST_BACKENDS=sqlite for a quick local run; CI runs both.
BACKENDS = os.environ.get("PACT_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    if request.param == "postgresql" and not pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must answer in CI (127.0.0.1:5432)")
        pytest.skip("PostgreSQL not reachable")
    return request.param


@pytest.fixture(scope="session")
def template_database(backend):
    """(kind, locator) of a migrated, provisioned database to copy for each test."""
    if backend == "sqlite":
        path = _TMP / "template.db"
        url = f"sqlite:///{path}"
        _build(url, url)
        yield ("sqlite", path)
        return
    name = f"pact_tpl_{WORKER}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    _build(_pg_url(name, APP_ROLE), _pg_url(name, "postgres"))
    yield ("postgresql", name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_counter = itertools.count()


@pytest.fixture
def database(template_database):
    """Fresh copy for one test: {backend, url, owner_url}."""
    kind, source = template_database
    n = next(_counter)
    if kind == "sqlite":
        path = _TMP / f"test-{n}.db"
        shutil.copyfile(source, path)
        url = f"sqlite:///{path}"
        yield {"backend": "sqlite", "url": url, "owner_url": url}
        path.unlink(missing_ok=True)
        return
    name = f"pact_t_{WORKER}_{n}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {source}")
    yield {"backend": "postgresql", "url": _pg_url(name, APP_ROLE),
           "owner_url": _pg_url(name, "postgres")}
    _drop_later(name)


_droppers: list = []


def _drop_later(name: str) -> None:
    """Drop a test database in the background: the next test need not wait for it."""
    import threading

    thread = threading.Thread(
        target=_pg_admin, args=(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",), daemon=True)
    thread.start()
    _droppers.append(thread)


def pytest_sessionfinish(session, exitstatus):
    for thread in _droppers:
        thread.join(timeout=30)


@pytest.fixture
def app(database):
    app = _make_app(database["url"], database["owner_url"])
    app.config["BACKEND"] = database["backend"]
    yield app
    from saas.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def user_by_email(email: str):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import User

    return db.session.execute(select(User).where(User.email == email)).scalar_one()


@contextlib.contextmanager
def acting(app, who: str):
    """Inside an app context, as the fixture user `who` (a key of USERS or an e-mail)."""
    from saas.extensions import db
    from tenants.context import acting_as, for_user

    with app.app_context():
        user = user_by_email(USERS.get(who, who))
        with acting_as(for_user(user)):
            yield user
        db.session.remove()


class ApiClient:
    """The test client with a bearer token: api.get('/institutions') → /api/v1/institutions."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method, path, **kwargs):
        url = path if path.startswith("/") and path.startswith("/api") else f"/api/v1{path}"
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def put(self, path, **kw):
        return self._call("put", path, **kw)

    def patch(self, path, **kw):
        return self._call("patch", path, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as(app, client):
    """api_as('ah1_admin') → an ApiClient authenticated as that fixture user."""
    from saas.services.auth import issue_token

    tokens = {}

    def make(who: str) -> ApiClient:
        if who not in tokens:
            with app.app_context():
                tokens[who] = issue_token(user_by_email(USERS.get(who, who)).id)
        return ApiClient(client, tokens[who])

    return make


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, who: str, password: str = PASSWORD):
    """Sign in through the real login form (with its CSRF token)."""
    page = client.get("/login")
    return client.post("/login", data={"email": USERS.get(who, who), "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})


@pytest.fixture
def web_as(app):
    """web_as('a_bureau_admin') → a test client signed in through the login form."""

    def make(who: str):
        c = app.test_client()
        response = login(c, who)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return make


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a thread: yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def missing_part(reason: str):
    """A part this machine lacks: skipped here, a failure in CI, where nothing may be
    missing (a skip there would hide it)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must have it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        missing_part("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page_as(browser, live_server):
    """page_as('ah1_admin', width=375) → a Playwright page signed in through the login form."""
    contexts = []

    def make(who: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#email", USERS.get(who, who))
        page.fill("#password", PASSWORD)
        # the landing page loaded in full: a request still running would set the session
        # cookie after the test's next one (a language switch, say) and undo it
        with page.expect_navigation(wait_until="load"):
            page.click("button[type=submit]")
        assert "/login" not in page.url, "login failed"
        page.base = live_server
        return page

    yield make
    for context in contexts:
        context.close()
