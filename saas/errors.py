"""Errors as application/problem+json (RFC 9457) for the API, Chinese messages for pages."""

from __future__ import annotations

from flask import Response, json


class DomainError(Exception):
    """A refused request: bad input, a refused transition, a missing permission."""

    status = 400
    title = "请求无效"

    def __init__(self, detail: str, errors: dict | None = None, status: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        if status:
            self.status = status


class NotFound(DomainError):
    status = 404
    title = "未找到"


class Forbidden(DomainError):
    status = 403
    title = "无权操作"


class Conflict(DomainError):
    status = 409
    title = "状态冲突"


class Invalid(DomainError):
    status = 422
    title = "数据校验失败"


def problem(status: int, title: str, detail: str = "", errors: dict | None = None) -> Response:
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
