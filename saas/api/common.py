"""What the API resources share: authentication, pagination, the problem schema."""

from __future__ import annotations

import functools
from datetime import UTC

import marshmallow as ma
from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.routing import IntegerConverter

from saas.auth import is_public
from saas.domain.limits import FIRST_DAY, INT_MAX, LAST_DAY
from saas.domain.messages import N_
from saas.errors import DomainError
from saas.services.base import page_of

MAX_PAGE_SIZE = 200


class Unauthorized(DomainError):
    """No signed-in user or no valid bearer token (401)."""


class ResourceBlueprint(Blueprint):
    """flask-smorest's blueprint with one more argument location, ``multipart``: the form
    fields and the files of a multipart/form-data body, documented as one requestBody
    (OpenAPI 3 has no formData parameters)."""

    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "multipart": "multipart/form-data"}


@ResourceBlueprint.ARGUMENTS_PARSER.location_loader("multipart")
def _load_multipart(request, schema):
    return MultiDictProxy(CombinedMultiDict([request.form, request.files]), schema)


def resource_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """Each API resource's blueprint: it checks sign-in once, before any of its views."""
    blp = ResourceBlueprint(name, import_name, **kwargs)
    blp.before_request(_require_sign_in)
    return blp


def _require_sign_in():
    """A signed-in user (bearer token or session), unless saas.auth.PUBLIC lists the route."""
    if not current_user.is_authenticated and not is_public(request.endpoint, request.method):
        raise Unauthorized(N_("请提供有效的 Bearer 令牌"))


class IdConverter(IntegerConverter):
    """<int:...> in every route: 1 to INT_MAX, so /institutions/99999999999 is a 404 and
    never reaches the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class Int(ma.fields.Integer):
    """An integer within an INTEGER column's range (by default); a float such as 1.0 or
    1.5 is refused, not truncated."""

    def __init__(self, *, minimum: int = -INT_MAX - 1, maximum: int = INT_MAX, **kwargs):
        validators = [ma.validate.Range(min=minimum, max=maximum)]
        if "validate" in kwargs:
            validators.append(kwargs.pop("validate"))
        super().__init__(validate=validators, **kwargs)

    def _validated(self, value):
        if isinstance(value, float):
            raise self.make_error("invalid")
        return super()._validated(value)


class Id(Int):
    """A row id given by the client: 1 to INT_MAX."""

    def __init__(self, **kwargs):
        super().__init__(minimum=1, **kwargs)


class Day(ma.fields.Date):
    """A calendar date between FIRST_DAY and LAST_DAY: year 9999 is refused here rather
    than overflowing when a term is renewed or a deadline is counted."""

    def __init__(self, **kwargs):
        super().__init__(validate=ma.validate.Range(min=FIRST_DAY, max=LAST_DAY), **kwargs)


class Timestamp(ma.fields.DateTime):
    """A moment, RFC 3339 with its offset: the database keeps UTC without a zone, so a
    naive value is UTC ("2026-12-04T02:30:00+00:00")."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class StrictSchema(ma.Schema):
    """Every input schema: unknown fields refused. Use Id, Int and Day for its numbers and
    dates (tests/test_bad_input.py checks that every input schema does)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class YearArgs(StrictSchema):
    """?year= (default: this year, Asia/Shanghai)."""

    year = Int(minimum=2000, maximum=2100)


class PageArgs(StrictSchema):
    page = Int(load_default=1, minimum=1, maximum=INT_MAX // MAX_PAGE_SIZE)
    page_size = Int(load_default=50, minimum=1, maximum=MAX_PAGE_SIZE)
    after = ma.fields.String(validate=ma.validate.Length(max=500), metadata={
        "description": "the `next` of the previous page: the page after it (keyset paging; "
                       "`page` is then ignored)"})


class Rows(ma.fields.List):
    """A page's items, each dumped by a plan made once from the item schema: for each
    field its attribute, its key and its own ``_serialize``. Marshmallow's dump spends
    about 20 µs a row around those calls (the accessor, defaults, hooks); a page of 50
    rows spent a millisecond. A field that reads no attribute (Function, Method), has a
    dump default or a dotted attribute goes through marshmallow's own ``serialize``; a
    schema with hooks is dumped by marshmallow whole. ``tests/test_api_rows.py`` compares
    every list with marshmallow's own dump."""

    def __init__(self, item_schema, **kwargs):
        super().__init__(ma.fields.Nested(item_schema), **kwargs)
        self._plan = None

    def _serialize(self, value, attr, obj, **kwargs):
        if self._plan is None:
            self._plan = _dump_plan(self.inner.schema)
        if value is None or not self._plan:
            return super()._serialize(value, attr, obj, **kwargs)
        return [_dump_row(self._plan, row) for row in value]


def _dump_plan(schema) -> list[tuple]:
    """``(key, attribute, serialize)`` per field (attribute None: marshmallow's own
    ``serialize`` of the row), or ``[]`` when marshmallow must dump the whole row."""
    if any(schema._hooks.values()):
        return []
    plan = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        if field._CHECK_ATTRIBUTE and "." not in attribute and field.dump_default is ma.missing:
            plan.append((field.data_key or name, attribute, field._serialize))
        else:
            plan.append((field.data_key or name, None,
                         functools.partial(field.serialize, name, accessor=schema.get_attribute)))
    return plan


def _dump_row(plan: list[tuple], row) -> dict:
    """One row as marshmallow dumps it: a value the row lacks is left out."""
    get = row.get if isinstance(row, dict) else lambda key, default: getattr(row, key, default)
    dumped = {}
    for key, attribute, serialize in plan:
        if attribute is None:
            value = serialize(row)
        else:
            value = get(attribute, ma.missing)
            if value is not ma.missing:
                value = serialize(value, attribute, row)
        if value is not ma.missing:
            dumped[key] = value
    return dumped


def page_schema(item_schema):
    """{items, total, page, page_size, next, total_counted_at} around an item schema."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (ma.Schema,),
        {
            "items": Rows(item_schema),
            "total": ma.fields.Integer(),
            "page": ma.fields.Integer(),
            "page_size": ma.fields.Integer(),
            "next": ma.fields.String(allow_none=True, metadata={
                "description": "pass as `after` for the next page; null on the last"}),
            "total_counted_at": Timestamp(metadata={
                "description": "when `total` was counted: it is kept a minute, not "
                               "recounted on every page"}),
        },
    )


def paginate(statement, args) -> dict:
    """Run a select (already tenant-filtered by the ORM) one page at a time."""
    return page_of(statement, args["page"], args["page_size"], args.get("after"))


def prefers_minimal() -> bool:
    """Whether the client asked for no body (RFC 7240 ``Prefer: return=minimal``): an
    integration pushing values has no use for the scorecard a save answers with."""
    return any(preference.split(";")[0].replace(" ", "").lower() == "return=minimal"
               for header in request.headers.getlist("Prefer")
               for preference in header.split(","))


def minimal_answer() -> Response:
    """204, saying the preference was applied."""
    return Response(status=204, headers={"Preference-Applied": "return=minimal"})
