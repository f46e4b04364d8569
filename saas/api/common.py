"""What the API resources share: authentication, pagination, the problem schema."""

from __future__ import annotations

import functools

import marshmallow as ma
from flask_login import current_user

from saas.domain.messages import N_
from saas.errors import DomainError
from saas.services.base import page_of

MAX_PAGE_SIZE = 200


class Unauthorized(DomainError):
    """No signed-in user or no valid bearer token (401)."""


def authenticated(view):
    """API views need a signed-in user (bearer token or session)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise Unauthorized(N_("请提供有效的 Bearer 令牌"))
        return view(*args, **kwargs)

    return wrapper


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


class PageArgs(StrictSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    page_size = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE)
    )
    after = ma.fields.String(validate=ma.validate.Length(max=500), metadata={
        "description": "the `next` of the previous page: the page after it (keyset paging; "
                       "`page` is then ignored)"})


def page_schema(item_schema):
    """{items, total, page, page_size, next, total_counted_at} around an item schema."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "total": ma.fields.Integer(),
            "page": ma.fields.Integer(),
            "page_size": ma.fields.Integer(),
            "next": ma.fields.String(allow_none=True, metadata={
                "description": "pass as `after` for the next page; null on the last"}),
            "total_counted_at": ma.fields.DateTime(metadata={
                "description": "when `total` was counted: it is kept a minute, not "
                               "recounted on every page"}),
        },
    )


def paginate(statement, args) -> dict:
    """Run a select (already tenant-filtered by the ORM) one page at a time."""
    return page_of(statement, args["page"], args["page_size"], args.get("after"))
