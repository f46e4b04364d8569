"""/api/v1/findings: problems found by inspections, confirmed or dismissed by the bureau."""

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from saas.api.common import (
    Id,
    Int,
    PageArgs,
    StrictSchema,
    Timestamp,
    page_schema,
    paginate,
    resource_blueprint,
)
from saas.domain.findings import CATEGORY_CODES, MAX_AMOUNT_FEN, MAX_DESCRIPTION, STATES
from saas.domain.points import SEVERITIES
from saas.models import Finding
from saas.services import findings

URL = "/findings"
blp = resource_blueprint("findings", __name__, description="检查发现的问题")


class FindingSchema(ma.Schema):
    id = ma.fields.Integer()
    assessment_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    clause_number = ma.fields.Function(lambda f: f.clause.number if f.clause else None)
    indicator_code = ma.fields.Function(lambda f: f.indicator.code if f.indicator else None)
    category = ma.fields.String(metadata={"enum": list(CATEGORY_CODES)})
    severity = ma.fields.String(metadata={"enum": list(SEVERITIES)})
    self_reported = ma.fields.Boolean()
    amount_fen = ma.fields.Integer()
    description = ma.fields.String()
    location = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": list(STATES)})
    found_by = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.Integer(allow_none=True)
    decided_at = Timestamp(allow_none=True)
    dismiss_reason = ma.fields.String(allow_none=True)
    evidence_ids = ma.fields.Function(lambda f: [e.id for e in f.evidence])
    created_at = Timestamp()


class FindingArgs(PageArgs):
    assessment_id = Id()
    institution_id = Id()
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    severity = ma.fields.String(validate=ma.validate.OneOf(SEVERITIES))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORY_CODES))
    self_reported = ma.fields.Boolean()


class FindingCreateSchema(StrictSchema):
    assessment_id = Id(required=True)
    clause_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    indicator_code = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORY_CODES))
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(SEVERITIES))
    amount_fen = Int(load_default=0, minimum=0, maximum=MAX_AMOUNT_FEN)
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_DESCRIPTION))
    location = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    evidence_ids = ma.fields.List(Id(), load_default=list)


class FindingUpdateSchema(StrictSchema):
    """The fields of a draft finding to change; the others stay."""

    clause_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    indicator_code = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORY_CODES))
    severity = ma.fields.String(validate=ma.validate.OneOf(SEVERITIES))
    amount_fen = Int(minimum=0, maximum=MAX_AMOUNT_FEN)
    description = ma.fields.String(validate=ma.validate.Length(max=MAX_DESCRIPTION))
    location = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    evidence_ids = ma.fields.List(Id())


class FindingConfirmSchema(StrictSchema):
    pass


class FindingDismissSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_DESCRIPTION))


def _with_refs(statement):
    return statement.options(selectinload(Finding.clause), selectinload(Finding.indicator),
                             selectinload(Finding.evidence))


@blp.route("")
class FindingList(MethodView):
    @blp.arguments(FindingArgs, location="query")
    @blp.response(200, page_schema(FindingSchema))
    def get(self, args):
        """Findings of the caller's scope, newest first."""
        filters = {k: args.get(k) for k in ("assessment_id", "institution_id", "status",
                                            "severity", "category", "self_reported")}
        return paginate(_with_refs(findings.list_statement(**filters)), args)

    @blp.arguments(FindingCreateSchema)
    @blp.response(201, FindingSchema)
    def post(self, body):
        """Record a draft finding; self_reported follows the assessment (self-inspection)."""
        return findings.create(findings.FindingInput(**body))


@blp.route("/<int:finding_id>")
class FindingItem(MethodView):
    @blp.response(200, FindingSchema)
    def get(self, finding_id):
        return findings.get(finding_id)

    @blp.arguments(FindingUpdateSchema)
    @blp.response(200, FindingSchema)
    def patch(self, changes, finding_id):
        """Correct a draft finding (待确认); a confirmed or dismissed one is a 409."""
        return findings.edit(finding_id, changes)


@blp.route("/<int:finding_id>/confirm")
class Confirm(MethodView):
    @blp.arguments(FindingConfirmSchema)
    @blp.response(200, FindingSchema)
    def post(self, _body, finding_id):
        return findings.decide(finding_id, "confirm")


@blp.route("/<int:finding_id>/dismiss")
class Dismiss(MethodView):
    @blp.arguments(FindingDismissSchema)
    @blp.response(200, FindingSchema)
    def post(self, body, finding_id):
        return findings.decide(finding_id, "dismiss", body["reason"])
