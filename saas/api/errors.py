"""Every API error is application/problem+json (RFC 9457) with field errors; pages keep
HTML errors. The domain errors of saas.errors get their HTTP status here, and their
messages the language of the request (saas.i18n.text)."""

from __future__ import annotations

from flask import Response, current_app, json, render_template, request
from werkzeug.exceptions import HTTPException

from saas.api.common import Unauthorized
from saas.domain.messages import N_
from saas.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from saas.i18n import text, texts
from saas.services.auth import LoginRefused, SignInThrottled
from saas.services.evidence import TooLarge
from saas.services.notices import PdfUnavailable
from saas.storage import StorageUnavailable

TITLES = {
    400: N_("请求无效"), 401: N_("未登录或凭证无效"), 403: N_("无权操作"), 404: N_("未找到"),
    405: N_("不支持的请求方法"), 409: N_("状态冲突"), 413: N_("请求体过大"),
    415: N_("不支持的内容类型"), 422: N_("数据校验失败"), 429: N_("请求过于频繁"),
    500: N_("服务器内部错误"), 503: N_("服务暂不可用"),
}
#: The status of each domain error; a subclass not listed takes its parent's.
STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422, TooLarge: 413,
          LoginRefused: 401, SignInThrottled: 429, Unauthorized: 401, StorageUnavailable: 503,
          PdfUnavailable: 503,
          DomainError: 400}


def status_of(error: DomainError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def problem(status: int, title: str, detail: str = "", errors: dict | None = None) -> Response:
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )


def _field_errors(data) -> dict | None:
    """webargs nests messages by location ({"json": {...}}); clients want the fields."""
    messages = (data or {}).get("messages") or (data or {}).get("errors")
    if not messages:
        return None
    flat = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _is_api() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not _is_api():  # a page: the app's error page in the user's language
            title = TITLES.get(error.code)
            return render_template("error.html", title=text(title) if title else error.name,
                                   detail=text(N_("请检查地址，或返回首页重试"))), error.code
        errors = _field_errors(getattr(error, "data", None))
        detail = error.description or ""
        if errors and error.code == 422:
            detail = text(N_("请检查标注的字段"))
        response = problem(error.code, text(TITLES.get(error.code, error.name)), detail,
                           errors)
        for name, value in error.get_headers():  # Allow on a 405, Retry-After, …
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        status = status_of(error)
        title, detail = text(TITLES[status]), text(error.detail)
        if not _is_api():
            return render_template("error.html", title=title, detail=detail), status
        return problem(status, title, detail, texts(error.errors))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        current_app.logger.exception("unhandled error")
        if not _is_api():
            return render_template("error.html", title=text(TITLES[500]),
                                   detail=text(N_("请稍后再试"))), 500
        return problem(500, text(TITLES[500]), text(N_("服务器内部错误，已记录")))
