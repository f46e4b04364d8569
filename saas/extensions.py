"""Every Flask extension, created once here and bound in create_app()."""

import http
import time

from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

from saas.problem import PROBLEM_JSON, ProblemSchema


class Base(DeclarativeBase):
    pass


# pysqlite begins a transaction only at the first write, so a SAVEPOINT taken before any
# write would be the outer transaction, and its RELEASE a commit. SQLAlchemy's documented
# recipe: the driver begins nothing itself; SQLAlchemy emits BEGIN when it begins.
@event.listens_for(Engine, "connect")
def _sqlite_driver_begins_nothing(dbapi_connection, _record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it has sat idle ``idle_seconds``.

    ``pool_pre_ping`` pings at every checkout: a round trip on every request. A connection
    used a moment ago is almost surely alive; one idle for a while may have been closed by
    a restart or a firewall, so it is pinged and, if dead, replaced before the request
    sees it (SQLAlchemy's documented custom pessimistic-disconnect recipe). A connection
    that dies between two close requests fails one query; SQLAlchemy then retires every
    connection of the pool opened before it."""

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("checked_in_at", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("a pooled connection was closed") from exc


class ProblemApi(Api):
    """flask-smorest without its JSON error handler: saas/api/errors.py answers
    problem+json, and the document says so for every error response."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """flask-smorest's error responses (one per status, and DEFAULT_ERROR), as
        application/problem+json with the problem schema."""
        from flask_smorest.utils import prepare_response

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "an error, as RFC 9457 problem details",
                    "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
cache = Cache()  # the dashboards' figures, the API's kept reads (saas.services.region_cache)
api = ProblemApi()
