"""/api/v1/rectifications: the rectification ledger (整改台账) of the caller's scope.

Items open when a finding is confirmed, or by hand (POST, the institution's own, from a
self-inspection or an internal audit). Steps are POST /rectifications/{id}/<step>:
start, submit {statement, evidence_ids}, verify {comment} (销号), return {reason},
reopen {reason}; PATCH assigns (measures, department, person responsible), extend moves
the deadline with a reason, bulk does either for many items at once. A refused step
answers 409 with the reason, a wrong role 403.
"""

import io

import marshmallow as ma
from flask import send_file, url_for
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from saas.api.common import (
    Day,
    Id,
    PageArgs,
    StrictSchema,
    Timestamp,
    page_schema,
    paginate,
    resource_blueprint,
)
from saas.api.exports import ExportSchema
from saas.domain.findings import CATEGORY_CODES
from saas.domain.rectification import HAND_SOURCES, MAX_DEPARTMENT, MAX_TEXT, SOURCES, STATES
from saas.domain.templates import SEVERITIES
from saas.models import RectificationItem as Item
from saas.services import exports, ledger_files, rectifications

URL = "/rectifications"
blp = resource_blueprint("rectifications", __name__, description="整改台账")
Text = ma.fields.String


class RectificationEventSchema(ma.Schema):
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict(allow_none=True)
    by = ma.fields.Integer(allow_none=True)
    at = Timestamp()


class RectificationSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    institution_id = ma.fields.Integer()
    finding_id = ma.fields.Integer(allow_none=True)
    assessment_id = ma.fields.Integer(allow_none=True)
    source = ma.fields.String(metadata={"enum": list(SOURCES)})
    category = ma.fields.String()
    severity = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    measures_to_take = ma.fields.String(allow_none=True)
    owner = ma.fields.Integer(attribute="owner_id", allow_none=True)
    department = ma.fields.String(allow_none=True)
    due_date = ma.fields.Date()
    status = ma.fields.String(metadata={"enum": list(STATES)})
    overdue = ma.fields.Function(rectifications.is_overdue)
    verified_by = ma.fields.Function(
        lambda i: "bureau" if i.bureau_verifies else "institution",
        metadata={"enum": ["bureau", "institution"]})
    statement = ma.fields.String(allow_none=True)
    submitted_by = ma.fields.Integer(allow_none=True)
    submitted_at = Timestamp(allow_none=True)
    closed_by = ma.fields.Integer(allow_none=True)
    closed_at = Timestamp(allow_none=True)
    evidence_ids = ma.fields.Function(lambda i: [e.id for e in i.evidence])
    created_at = Timestamp()


class RectificationDetailSchema(RectificationSchema):
    events = ma.fields.List(ma.fields.Nested(RectificationEventSchema))


class RectificationArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    overdue = ma.fields.Boolean()
    institution_id = Id()
    finding_id = Id()
    assessment_id = Id()
    department = Text(validate=ma.validate.Length(max=MAX_DEPARTMENT))
    owner_id = Id()
    severity = ma.fields.String(validate=ma.validate.OneOf(SEVERITIES))
    source = ma.fields.String(validate=ma.validate.OneOf(SOURCES))
    mine = ma.fields.Boolean(metadata={"description": "only my items (我的整改)"})


class RectificationAssignSchema(StrictSchema):
    measures_to_take = Text(allow_none=True, validate=ma.validate.Length(max=MAX_TEXT))
    department = Text(allow_none=True, validate=ma.validate.Length(max=MAX_DEPARTMENT))
    owner_id = Id(allow_none=True)


class RectificationCreateSchema(RectificationAssignSchema):
    source = ma.fields.String(required=True, validate=ma.validate.OneOf(HAND_SOURCES))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORY_CODES))
    severity = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(SEVERITIES))
    description = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    assessment_id = Id(allow_none=True)
    evidence_ids = ma.fields.List(Id(), load_default=list)


class RectificationEmptySchema(StrictSchema):
    pass


class RectificationSubmitSchema(StrictSchema):
    statement = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    evidence_ids = ma.fields.List(Id(), load_default=list)


class RectificationVerifySchema(StrictSchema):
    comment = Text(allow_none=True, validate=ma.validate.Length(max=MAX_TEXT))


class RectificationReasonSchema(StrictSchema):
    reason = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))


class RectificationExtendSchema(RectificationReasonSchema):
    due_date = Day(required=True)


class RectificationBulkSchema(StrictSchema):
    item_ids = ma.fields.List(Id(), required=True, validate=ma.validate.Length(
        min=1, max=rectifications.BULK_LIMIT))
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(["assign", "extend"]))
    assign = ma.fields.Nested(RectificationAssignSchema, load_default=dict)
    due_date = Day(allow_none=True)
    reason = Text(allow_none=True, validate=ma.validate.Length(max=MAX_TEXT))


def _filters(args) -> rectifications.Filters:
    return rectifications.Filters.of(args)


@blp.route("")
class RectificationList(MethodView):
    @blp.arguments(RectificationArgs, location="query")
    @blp.response(200, page_schema(RectificationSchema))
    def get(self, args):
        """The ledger, by deadline: an institution's own items (its mock inspections'
        too), the region's for the bureau; filtered by status, overdue, department,
        person responsible, source assessment, severity."""
        statement = rectifications.list_statement(_filters(args))
        return paginate(statement.options(selectinload(Item.evidence)), args)

    @blp.arguments(RectificationCreateSchema)
    @blp.response(201, RectificationDetailSchema)
    def post(self, body):
        """Open an item by hand (the institution: from its self-inspection or an
        internal audit); numbered and due like a finding's."""
        return rectifications.open_by_hand(rectifications.ItemInput(**body))


class RectificationImportSchema(StrictSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    source = ma.fields.String(load_default="internal_audit",
                              validate=ma.validate.OneOf(HAND_SOURCES))


class ImportResultSchema(ma.Schema):
    opened = ma.fields.Integer()
    updated = ma.fields.Integer()
    skipped = ma.fields.Integer(metadata={"description": "rows already closed (销号日期)"})


def _export(args, fmt: str):
    made = exports.ledger(_filters(args), fmt)
    if made[0] == "job":
        body = ExportSchema().dump(made[1])
        return body, 202, {"Location": url_for("exports.ExportItem", export_id=made[1].id)}
    _kind, filename, data = made
    return send_file(io.BytesIO(data), mimetype=exports.MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=filename)


@blp.route("/export.xlsx")
class ExportXlsx(MethodView):
    @blp.arguments(RectificationArgs, location="query")
    @blp.response(200, content_type=exports.MEDIA_TYPES["xlsx"], description="整改台账")
    @blp.alt_response(202, schema=ExportSchema, description="a large export: follow Location")
    def get(self, args):
        """The ledger as .xlsx (序号, 问题描述, 整改措施, 责任部门, 责任人, 整改时限,
        完成情况, 销号日期, 状态, 证据数, 整改编号, 机构), with the list's filters; more
        than EXPORT_INLINE_ROWS rows answer 202 with the export job to poll."""
        return _export(args, "xlsx")


@blp.route("/export.pdf")
class ExportPdf(MethodView):
    @blp.arguments(RectificationArgs, location="query")
    @blp.response(200, content_type=exports.MEDIA_TYPES["pdf"], description="整改报告")
    @blp.alt_response(202, schema=ExportSchema, description="a large export: follow Location")
    def get(self, args):
        """The 整改报告 PDF with the same filters as the xlsx."""
        return _export(args, "pdf")


@blp.route("/import")
class Import(MethodView):
    @blp.arguments(RectificationImportSchema, location="multipart")
    @blp.response(200, ImportResultSchema)
    def post(self, body):
        """导入整改台账 (.xlsx in the export's layout), all rows or none: a row with a
        整改编号 updates that item, the others open items (`source`); errors keyed by
        sheet cell, e.g. "整改台账!B7"."""
        rows, skipped, problems = ledger_files.read_workbook(body["file"].read())
        return {**rectifications.import_rows(rows, body["source"], problems),
                "skipped": skipped}


@blp.route("/bulk")
class Bulk(MethodView):
    @blp.arguments(RectificationBulkSchema)
    @blp.response(200, RectificationSchema(many=True))
    def post(self, body):
        """批量指派 / 批量延期: assign or extend many items, all or none."""
        if body["action"] == "assign":
            return rectifications.bulk(body["item_ids"], "assign", changes=body["assign"])
        return rectifications.bulk(body["item_ids"], "extend", due_date=body.get("due_date"),
                                   reason=body.get("reason"))


@blp.route("/<int:item_id>")
class RectificationItem(MethodView):
    @blp.response(200, RectificationDetailSchema)
    def get(self, item_id):
        """The item with its history and evidence."""
        return rectifications.get(item_id)

    @blp.arguments(RectificationAssignSchema)
    @blp.response(200, RectificationDetailSchema)
    def patch(self, body, item_id):
        """指派: measures to take, department, person responsible (a user of the
        institution)."""
        return rectifications.assign(item_id, body)


@blp.route("/<int:item_id>/start")
class Start(MethodView):
    @blp.arguments(RectificationEmptySchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, _body, item_id):
        """开始整改."""
        return rectifications.start(item_id)


@blp.route("/<int:item_id>/submit")
class Submit(MethodView):
    @blp.arguments(RectificationSubmitSchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, body, item_id):
        """提交复核: a statement and evidence (the item's, plus evidence_ids uploaded
        first)."""
        return rectifications.submit(item_id, body["statement"], body["evidence_ids"])


@blp.route("/<int:item_id>/verify")
class Verify(MethodView):
    @blp.arguments(RectificationVerifySchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, body, item_id):
        """复核销号: closes it; a bureau inspector for a bureau finding's item, else the
        institution admin, never the submitter."""
        return rectifications.verify(item_id, body.get("comment"))


@blp.route("/<int:item_id>/return")
class Return(MethodView):
    @blp.arguments(RectificationReasonSchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, body, item_id):
        """退回: back to in progress, with the reason; its evidence stays."""
        return rectifications.return_(item_id, body["reason"])


@blp.route("/<int:item_id>/reopen")
class Reopen(MethodView):
    @blp.arguments(RectificationReasonSchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, body, item_id):
        """整改不力或虚假整改: a closed item back to in progress with a new deadline; its
        finding's points double."""
        return rectifications.reopen(item_id, body["reason"])


@blp.route("/<int:item_id>/extend")
class Extend(MethodView):
    @blp.arguments(RectificationExtendSchema)
    @blp.response(200, RectificationDetailSchema)
    def post(self, body, item_id):
        """调整整改时限: a new deadline with its reason (the verifier)."""
        return rectifications.extend(item_id, body["due_date"], body["reason"])
