"""/api/v1/agreements: 服务协议 and their lifecycle actions, 重大信息变更备案.

Actions are POST /agreements/{id}/<action> with a JSON body (sign, renew); a refused
transition answers 409 with the Chinese reason, a wrong role 403, another tenant's
agreement 404. Suspension and rescission are measures (/measures), with their due process.
"""

import marshmallow as ma
from flask.views import MethodView

from saas.api.agreement_requests import RequestCreateSchema, RequestSchema
from saas.api.common import (
    Day,
    Id,
    PageArgs,
    StrictSchema,
    Timestamp,
    YearArgs,
    page_schema,
    paginate,
    resource_blueprint,
)
from saas.api.kept_reads import kept_read
from saas.domain.calendar import DEFAULT_FILING_WORKDAYS
from saas.domain.lifecycle import MAJOR_CHANGE_FIELDS, STATES
from saas.domain.points import LEDGER_REASONS
from saas.services import agreement_requests, agreements, points
from saas.timeutil import today_local

URL = "/agreements"
blp = resource_blueprint("agreements", __name__, description="服务协议与协议状态变更")


class AgreementSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    institution_id = ma.fields.Integer()
    institution_name = ma.fields.Function(lambda a: a.institution.name)
    template_id = ma.fields.Integer()
    template_code = ma.fields.Function(lambda a: a.template.code)
    template_version = ma.fields.Function(lambda a: a.template.version)
    start = ma.fields.Date()
    end = ma.fields.Date()
    status = ma.fields.String(metadata={"enum": list(STATES)})
    signed_at = Timestamp(allow_none=True)
    predecessor_id = ma.fields.Integer(allow_none=True)
    suspensions = ma.fields.Integer()
    suspended_at = ma.fields.Date(allow_none=True)
    status_reason = ma.fields.String(allow_none=True)


class AgreementArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    institution_id = Id()


class AgreementCreateSchema(StrictSchema):
    institution_id = Id(required=True)
    template_id = Id(required=True)
    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    start = Day(required=True)
    end = Day(required=True)


class AgreementActionSchema(StrictSchema):
    pass


class AgreementRenewSchema(StrictSchema):
    override_reason = ma.fields.String(validate=ma.validate.Length(max=2000),
                                       metadata={"description": "bureau admin's reason to "
                                                 "renew despite a 不合格 annual grade"})
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=40),
                              metadata={"description": "default: <number>-R1"})


class AgreementExpirySchema(ma.Schema):
    today = ma.fields.Date()
    expired = ma.fields.List(ma.fields.Integer())


class InformationChangeInSchema(StrictSchema):
    field = ma.fields.String(required=True, validate=ma.validate.OneOf(list(MAJOR_CHANGE_FIELDS)))
    old_value = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=300))
    new_value = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    changed_on = Day(required=True)


class InformationChangeSchema(ma.Schema):
    id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    field = ma.fields.String()
    field_label = ma.fields.String()
    old_value = ma.fields.String(allow_none=True)
    new_value = ma.fields.String()
    changed_on = ma.fields.Date()
    due_on = ma.fields.Date(metadata={
        "description": f"changed_on + {DEFAULT_FILING_WORKDAYS} working days"})
    filed_on = ma.fields.Date(allow_none=True)
    late = ma.fields.Boolean()
    calendar_warning = ma.fields.String(allow_none=True)


@blp.route("")
class AgreementList(MethodView):
    @kept_read
    @blp.arguments(AgreementArgs, location="query")
    @blp.response(200, page_schema(AgreementSchema))
    def get(self, args):
        """Agreements the caller may see: a bureau its region's, an institution its own."""
        statement = agreements.list_statement(args.get("status"), args.get("institution_id"))
        return paginate(statement, args)

    @blp.arguments(AgreementCreateSchema)
    @blp.response(201, AgreementSchema)
    def post(self, body):
        """A draft agreement for one institution and term (bureau_admin)."""
        return agreements.create(**body)


@blp.route("/expire-due")
class AgreementExpiry(MethodView):
    @blp.arguments(AgreementActionSchema)
    @blp.response(200, AgreementExpirySchema)
    def post(self, _body):
        """到期终止: expire every active agreement of the region whose term is over."""
        today = today_local()
        return {"today": today, "expired": agreements.expire_due(today)}


@blp.route("/<int:agreement_id>")
class AgreementItem(MethodView):
    @blp.response(200, AgreementSchema)
    def get(self, agreement_id):
        return agreements.get(agreement_id)


@blp.route("/<int:agreement_id>/sign")
class AgreementSign(MethodView):
    @blp.arguments(AgreementActionSchema)
    @blp.response(200, AgreementSchema)
    def post(self, _body, agreement_id):
        """签订: draft → active."""
        return agreements.sign(agreement_id)


@blp.route("/<int:agreement_id>/renew")
class AgreementRenew(MethodView):
    @blp.arguments(AgreementRenewSchema)
    @blp.response(201, AgreementSchema)
    def post(self, body, agreement_id):
        """续签: creates the successor agreement (draft, to be signed) for the next term;
        refused when the last annual grade is 不合格 unless overridden with a reason."""
        return agreements.renew(agreement_id, body.get("override_reason"), body.get("number"))


@blp.route("/<int:agreement_id>/changes")
class AgreementChanges(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(InformationChangeSchema))
    def get(self, args, agreement_id):
        """重大信息变更备案 of the agreement's institution, latest first."""
        page = paginate(agreements.changes_statement(agreement_id), args)
        page["items"] = [agreements.describe_change(c) for c in page["items"]]
        return page

    @blp.arguments(InformationChangeInSchema)
    @blp.response(201, InformationChangeSchema)
    def post(self, body, agreement_id):
        """File a major information change; due on the filing deadline (working days after
        `changed_on`, on the official calendar); see `due_on`."""
        return agreements.describe_change(agreements.file_change(agreement_id, **body))


class PointsEventSchema(ma.Schema):
    finding_id = ma.fields.Integer()
    points = ma.fields.Float()
    factor = ma.fields.Float()
    reason = ma.fields.String(metadata={"enum": list(LEDGER_REASONS)})
    severity = ma.fields.String()
    measure_id = ma.fields.Integer(allow_none=True)
    at = Timestamp()


class PointsSchema(ma.Schema):
    agreement_id = ma.fields.Integer()
    year = ma.fields.Integer()
    total = ma.fields.Float()
    events = ma.fields.List(ma.fields.Nested(PointsEventSchema))


@blp.route("/<int:agreement_id>/points")
class AgreementPoints(MethodView):
    @blp.arguments(YearArgs, location="query")
    @blp.response(200, PointsSchema)
    def get(self, args, agreement_id):
        """记分台账: the year's points (default this year) and its lines, oldest first; a
        reversal line (negative points) takes a dismissed finding's or a revoked measure's
        points back in the year they were counted."""
        return points.ledger(agreement_id, args.get("year"))


@blp.route("/<int:agreement_id>/requests")
class AgreementRequests(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(RequestSchema))
    def get(self, args, agreement_id):
        """The institution's requests on this agreement, newest first."""
        agreements.get(agreement_id)  # another tenant's agreement: 404
        return paginate(agreement_requests.list_statement(agreement_id), args)

    @blp.arguments(RequestCreateSchema)
    @blp.response(201, RequestSchema)
    def post(self, body, agreement_id):
        """The institution's admin asks to suspend (with months), end or not renew, at
        least 3 months ahead; a public institution may only ask not to renew."""
        return agreement_requests.create(agreement_requests.RequestInput(
            agreement_id=agreement_id, kind=body["kind"], effective_on=body.get("effective_on"),
            reason=body["reason"], months=body.get("months")))
