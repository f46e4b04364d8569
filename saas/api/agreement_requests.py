"""/api/v1/agreement-requests: the institution's requests to suspend, end or not renew,
decided by a bureau admin. They are made at POST /agreements/{id}/requests."""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import Day, Int, StrictSchema, Timestamp, resource_blueprint
from saas.domain.lifecycle import REQUEST_KINDS
from saas.domain.measures import MAX_MONTHS, MAX_TEXT
from saas.services import agreement_requests
from saas.services.agreement_requests import DECISIONS

URL = "/agreement-requests"
blp = resource_blueprint("agreement_requests", __name__, description="机构的中止、解除、不再续签申请")


class RequestSchema(ma.Schema):
    id = ma.fields.Integer()
    agreement_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(REQUEST_KINDS)})
    effective_on = ma.fields.Date()
    months = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["pending", "accepted", "refused"]})
    requested_by = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.Integer(allow_none=True)
    decided_at = Timestamp(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    measure_id = ma.fields.Integer(allow_none=True)
    created_at = Timestamp()


class RequestCreateSchema(StrictSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(REQUEST_KINDS))
    effective_on = Day(allow_none=True, metadata={
        "description": "at least 3 months ahead; not renewing: the term's end"})
    months = Int(allow_none=True, minimum=1, maximum=MAX_MONTHS)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))


class RequestDecideSchema(StrictSchema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(DECISIONS))
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))


@blp.route("/<int:request_id>/decide")
class RequestDecide(MethodView):
    @blp.arguments(RequestDecideSchema)
    @blp.response(200, RequestSchema)
    def post(self, body, request_id):
        """accept (a suspension or rescission then takes effect on the day asked) or
        refuse, with the reason; a bureau admin."""
        return agreement_requests.decide(request_id, body["decision"], body["reason"])
