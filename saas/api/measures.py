"""/api/v1/measures: 协议处理 — measures under an agreement and their due process.

A step is POST /measures/{id}/<step> with a JSON body: notify, appeal (the institution,
within the window), decide (uphold | overturn), lift, revoke. A refused step answers 409
with the reason, a wrong role 403; an institution sees its measures once notified.
"""

import io

import marshmallow as ma
from flask import send_file
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
from saas.domain.measures import (
    DECISIONS,
    MAX_AMOUNT_FEN,
    MAX_MONTHS,
    MAX_TEXT,
    MEASURES,
    STATUSES,
)
from saas.models import Measure, MeasureEvent
from saas.services import measures, notices

URL = "/measures"
blp = resource_blueprint("measures", __name__, description="协议处理及其正当程序")

Text = ma.fields.String


class MeasureEventSchema(ma.Schema):
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    decision = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    by = ma.fields.Integer(allow_none=True)
    at = Timestamp()
    evidence_ids = ma.fields.Function(lambda e: [x.id for x in e.evidence])


class MeasureSchema(ma.Schema):
    id = ma.fields.Integer()
    agreement_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    measure = ma.fields.String(metadata={"enum": list(MEASURES)})
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    months = ma.fields.Integer(allow_none=True)
    amount_fen = ma.fields.Integer(allow_none=True)
    basis = ma.fields.String()
    clause_number = ma.fields.String(allow_none=True)
    article = ma.fields.String(allow_none=True)
    finding_id = ma.fields.Integer(allow_none=True)
    ground = ma.fields.String(allow_none=True)
    year = ma.fields.Integer(allow_none=True)
    automatic = ma.fields.Function(lambda m: m.proposal_key is not None)
    proposed_by = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.Integer(allow_none=True)
    notified_at = Timestamp(allow_none=True)
    appeal_until = ma.fields.Date(allow_none=True)
    effective_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)
    created_at = Timestamp()
    events = ma.fields.List(ma.fields.Nested(MeasureEventSchema))


class MeasureArgs(PageArgs):
    agreement_id = Id()
    institution_id = Id()
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    measure = ma.fields.String(validate=ma.validate.OneOf(MEASURES))


class MeasureCreateSchema(StrictSchema):
    agreement_id = Id(required=True)
    measure = ma.fields.String(required=True, validate=ma.validate.OneOf(MEASURES))
    basis = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    reason = Text(allow_none=True, validate=ma.validate.Length(max=MAX_TEXT))
    months = Int(allow_none=True, minimum=1, maximum=MAX_MONTHS)
    amount_fen = Int(allow_none=True, minimum=1, maximum=MAX_AMOUNT_FEN)
    clause_number = Text(allow_none=True, validate=ma.validate.Length(max=32))
    article = Text(allow_none=True, validate=ma.validate.Length(max=100))
    finding_id = Id(allow_none=True)
    ground = Text(allow_none=True, validate=ma.validate.Length(max=40))


class MeasureNotifySchema(StrictSchema):
    pass


class AppealSchema(StrictSchema):
    statement = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    evidence_ids = ma.fields.List(Id(), load_default=list)


class DecideSchema(StrictSchema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(DECISIONS))
    reason = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))


class ReasonSchema(StrictSchema):
    reason = Text(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))


def _with_events(statement):
    return statement.options(selectinload(Measure.events).selectinload(MeasureEvent.evidence))


@blp.route("")
class MeasureList(MethodView):
    @blp.arguments(MeasureArgs, location="query")
    @blp.response(200, page_schema(MeasureSchema))
    def get(self, args):
        """Measures of the caller's scope, newest first (an institution: once notified)."""
        filters = {k: args.get(k) for k in ("agreement_id", "institution_id", "status",
                                            "measure")}
        return paginate(_with_events(measures.list_statement(**filters)), args)

    @blp.arguments(MeasureCreateSchema)
    @blp.response(201, MeasureSchema)
    def post(self, body):
        """Propose a measure by hand (bureau); `months` for a suspension, `amount_fen` for
        money measures; the basis names the clause, finding or regulation article."""
        return measures.propose(measures.MeasureInput(**body))


@blp.route("/<int:measure_id>")
class MeasureItem(MethodView):
    @blp.response(200, MeasureSchema)
    def get(self, measure_id):
        """The measure with its whole history."""
        return measures.get(measure_id)


@blp.route("/<int:measure_id>/notice.pdf")
class Notice(MethodView):
    @blp.response(200, content_type="application/pdf", description="告知书 / 决定书")
    def get(self, measure_id):
        """The written notice: 协议处理告知书 before the decision, 决定书 after it, with
        the basis, the amount, the deadlines and the appeal route."""
        filename, content = notices.measure_notice(measure_id)
        return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                         download_name=filename)


@blp.route("/<int:measure_id>/notify")
class Notify(MethodView):
    @blp.arguments(MeasureNotifySchema)
    @blp.response(200, MeasureSchema)
    def post(self, _body, measure_id):
        """告知: the institution sees it; the appeal window (working days) opens."""
        return measures.notify(measure_id)


@blp.route("/<int:measure_id>/appeal")
class Appeal(MethodView):
    @blp.arguments(AppealSchema)
    @blp.response(200, MeasureSchema)
    def post(self, body, measure_id):
        """申诉 by the institution's admin, until `appeal_until`."""
        return measures.appeal(measure_id, body["statement"], body["evidence_ids"])


@blp.route("/<int:measure_id>/decide")
class Decide(MethodView):
    @blp.arguments(DecideSchema)
    @blp.response(200, MeasureSchema)
    def post(self, body, measure_id):
        """uphold (effective today) or overturn (revoked, points taken back); after the
        appeal window or an appeal; suspension and rescission by another bureau admin."""
        return measures.decide(measure_id, body["decision"], body["reason"])


@blp.route("/<int:measure_id>/lift")
class Lift(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, MeasureSchema)
    def post(self, body, measure_id):
        return measures.lift(measure_id, body["reason"])


@blp.route("/<int:measure_id>/revoke")
class Revoke(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, MeasureSchema)
    def post(self, body, measure_id):
        return measures.revoke(measure_id, body["reason"])
