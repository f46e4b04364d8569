"""Input no view should have to think about, refused before any view runs (pages and API).

- a JSON body over MAX_JSON_KB: 413 before it is parsed;
- JSON nested deeper than MAX_JSON_DEPTH: 400 (the parser would recurse until it crashed);
- a NUL character or a lone surrogate in any text (query, form, file name, JSON): 400.
  PostgreSQL cannot store either, and a surrogate cannot even be encoded;
- a multipart part without a name: 400.

Each refusal is a DomainError, so the API answers problem+json and a page its error page.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _

from saas.errors import DomainError

MAX_JSON_DEPTH = 32


class BadInput(DomainError):
    """Input refused before any view ran (400)."""


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        return True
    return False


def _refuse_text(field: str) -> None:
    message = _("不能包含空字符（NUL）或无效的 Unicode 字符")
    raise BadInput(message, {field or "body": [message]})


def _check_json(data) -> None:
    """Walk the parsed body without recursion: depth, then every key and string."""
    pending = [(data, 1, "")]
    while pending:
        value, depth, field = pending.pop()
        if depth > MAX_JSON_DEPTH:
            message = _("JSON 嵌套层数不能超过 %(depth)s", depth=MAX_JSON_DEPTH)
            raise BadInput(message, {"body": [message]})
        if isinstance(value, str):
            if _bad_text(value):
                _refuse_text(field)
        elif isinstance(value, dict):
            for key, item in value.items():
                if _bad_text(key):
                    _refuse_text("body")
                pending.append((item, depth + 1, field or key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, field) for item in value)


def _parsed_json():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        message = _("JSON 嵌套层数不能超过 %(depth)s", depth=MAX_JSON_DEPTH)
        raise BadInput(message, {"body": [message]}) from None


def refuse_bad_input() -> None:
    if request.is_json:
        # Flask reads at most this much, and answers 413 past it (also without a length).
        limits = (current_app.config["MAX_JSON_BYTES"], current_app.config["MAX_CONTENT_LENGTH"])
        request.max_content_length = min(limit for limit in limits if limit)
        if request.content_length is not None and \
                request.content_length > request.max_content_length:
            from werkzeug.exceptions import RequestEntityTooLarge

            raise RequestEntityTooLarge()
        _check_json(_parsed_json())
    for name, value in request.args.items(multi=True):
        if _bad_text(name) or _bad_text(value):
            _refuse_text(name)
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for parts in (request.form, request.files):
            if None in parts or "" in parts:
                message = _("表单的每一部分都需要名称")
                raise BadInput(message, {"body": [message]})
        for name, value in request.form.items(multi=True):
            if _bad_text(name) or _bad_text(value):
                _refuse_text(name)
        for name, file in request.files.items(multi=True):
            if _bad_text(name) or _bad_text(file.filename or ""):
                _refuse_text(name)


def register(app) -> None:
    app.before_request(refuse_bad_input)
