"""/api/v1/assessments: assessments, their measurements (bulk PUT, .xlsx/.csv import and
templates) and the balanced scorecard."""

import io

import marshmallow as ma
from flask import send_file
from flask.views import MethodView

from saas.api.common import (
    FIRST_DAY,
    LAST_DAY,
    Id,
    Int,
    PageArgs,
    StrictSchema,
    Timestamp,
    minimal_answer,
    page_schema,
    paginate,
    prefers_minimal,
    resource_blueprint,
)
from saas.api.kept_reads import kept_read
from saas.domain.permissions import ASSESSMENT_STATES, KINDS
from saas.services import assessments

URL = "/assessments"
blp = resource_blueprint("assessments", __name__, description="考核评估与平衡计分卡")
MINIMAL = "Saved, with `Prefer: return=minimal`: no body (GET the scorecard when needed)."


class AssessmentSchema(ma.Schema):
    id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    agreement_id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    period = ma.fields.String(metadata={"example": "2026-10"})
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    status = ma.fields.String(metadata={"enum": list(ASSESSMENT_STATES)})
    total = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    perspectives = ma.fields.Dict(allow_none=True)
    created_by = ma.fields.Integer(allow_none=True)
    submitted_at = Timestamp(allow_none=True)
    finalized_at = Timestamp(allow_none=True)
    created_at = Timestamp()


class AssessmentArgs(PageArgs):
    institution_id = Id()
    agreement_id = Id()
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    period = ma.fields.String(validate=ma.validate.Length(max=10))
    status = ma.fields.String(validate=ma.validate.OneOf(ASSESSMENT_STATES))


class AssessmentCreateSchema(StrictSchema):
    agreement_id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    period = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=10),
                              metadata={"example": "2026-10"})


class AssessmentActionSchema(StrictSchema):
    pass


class AssessmentReturnSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


class MeasurementInSchema(StrictSchema):
    indicator_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    value = ma.fields.Raw(allow_none=True, load_default=None,
                          metadata={"description": "number, true/false, or null (no data)"})
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=2000))
    evidence_ids = ma.fields.List(Id(), allow_none=True,
                                  metadata={"description": "replaces the attached files; "
                                                           "absent: left as they are"})
    not_applicable = ma.fields.Boolean(load_default=False)


class MeasurementUploadSchema(StrictSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ScoreIndicatorSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    perspective = ma.fields.String()
    clause_number = ma.fields.String(allow_none=True)
    unit = ma.fields.String()
    direction = ma.fields.String()
    target = ma.fields.Float(allow_none=True)
    warning = ma.fields.Float(allow_none=True)
    zero = ma.fields.Float(allow_none=True)
    value = ma.fields.Raw(allow_none=True)
    not_applicable = ma.fields.Boolean()
    score = ma.fields.Float(allow_none=True)
    max_points = ma.fields.Float()
    color = ma.fields.String(metadata={"enum": ["green", "yellow", "red", "no_data"]})
    status = ma.fields.String(metadata={"enum": ["scored", "missing", "not_applicable"]})
    evidence_required = ma.fields.Boolean()
    note = ma.fields.String(allow_none=True)


class RankSchema(ma.Schema):
    region = ma.fields.Integer(allow_none=True)
    region_of = ma.fields.Integer()
    peer = ma.fields.Integer(allow_none=True)
    peer_of = ma.fields.Integer()


class HistorySchema(ma.Schema):
    assessment_id = ma.fields.Integer()
    period = ma.fields.String()
    total = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)


class FlagSchema(ma.Schema):
    code = ma.fields.String(metadata={"enum": ["assistance", "interview",
                                               "special_rectification"]})
    label = ma.fields.String()


class AnnualSchema(ma.Schema):
    agreement_id = ma.fields.Integer()
    year = ma.fields.Integer()
    periods = ma.fields.List(ma.fields.Dict())
    months_covered = ma.fields.Integer()
    points = ma.fields.Float()
    point_events = ma.fields.List(ma.fields.Dict())
    total = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)


class ContributionSchema(ma.Schema):
    weight = ma.fields.Float(metadata={"description": "the template's weight"})
    share = ma.fields.Float(metadata={
        "description": "percent of the total, weights renormalised over perspectives with data"})
    contribution = ma.fields.Float(allow_none=True, metadata={
        "description": "score × share: what the perspective adds to the total"})


class ScorecardSchema(ma.Schema):
    assessment_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    agreement_id = ma.fields.Integer()
    kind = ma.fields.String()
    period = ma.fields.String()
    status = ma.fields.String()
    total = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    perspectives = ma.fields.Dict(keys=ma.fields.String(),
                                  values=ma.fields.Float(allow_none=True))
    completeness = ma.fields.Float()
    contributions = ma.fields.Dict(keys=ma.fields.String(),
                                   values=ma.fields.Nested(ContributionSchema))
    indicators = ma.fields.List(ma.fields.Nested(ScoreIndicatorSchema))
    rank = ma.fields.Nested(RankSchema)
    history = ma.fields.List(ma.fields.Nested(HistorySchema))
    flags = ma.fields.List(ma.fields.Nested(FlagSchema))
    barometer = ma.fields.String(allow_none=True)
    annual = ma.fields.Nested(AnnualSchema)


class AnnualArgs(StrictSchema):
    agreement_id = Id(required=True)
    year = Int(required=True, minimum=FIRST_DAY.year, maximum=LAST_DAY.year)


@blp.route("")
class AssessmentList(MethodView):
    @kept_read
    @blp.arguments(AssessmentArgs, location="query")
    @blp.response(200, page_schema(AssessmentSchema))
    def get(self, args):
        """Assessments of the caller's scope; filters institution_id, agreement_id, kind,
        period, status."""
        filters = {k: args.get(k) for k in ("institution_id", "kind", "period", "status",
                                            "agreement_id")}
        return paginate(assessments.list_statement(**filters), args)

    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body):
        """Create a draft assessment; the institution is the agreement's."""
        return assessments.create(body["agreement_id"], body["kind"], body["period"])


@blp.route("/annual")
class Annual(MethodView):
    @blp.arguments(AnnualArgs, location="query")
    @blp.response(200, AnnualSchema)
    def get(self, args):
        """年度考核 of an agreement: the year's finalized periods combined minus points."""
        return assessments.annual_scorecard(args["agreement_id"], args["year"])


@blp.route("/<int:assessment_id>")
class AssessmentItem(MethodView):
    @blp.response(200, AssessmentSchema)
    def get(self, assessment_id):
        return assessments.get(assessment_id)


@blp.route("/<int:assessment_id>/submit")
class Submit(MethodView):
    @blp.arguments(AssessmentActionSchema)
    @blp.response(200, AssessmentSchema)
    def post(self, _body, assessment_id):
        """draft → submitted."""
        return assessments.transition(assessment_id, "submit")


@blp.route("/<int:assessment_id>/finalize")
class Finalize(MethodView):
    @blp.arguments(AssessmentActionSchema)
    @blp.response(200, AssessmentSchema)
    def post(self, _body, assessment_id):
        """submitted → finalized (an institution never finalizes a bureau kind)."""
        return assessments.transition(assessment_id, "finalize")


@blp.route("/<int:assessment_id>/return")
class Return(MethodView):
    @blp.arguments(AssessmentReturnSchema)
    @blp.response(200, AssessmentSchema)
    def post(self, body, assessment_id):
        """submitted → draft, with the reason."""
        return assessments.transition(assessment_id, "return", body["reason"])


@blp.route("/<int:assessment_id>/measurements")
class Measurements(MethodView):
    @blp.arguments(MeasurementInSchema(many=True))
    @blp.response(200, ScorecardSchema)
    @blp.alt_response(204, success=True, description=MINIMAL)
    def put(self, rows, assessment_id):
        """Bulk upsert of the listed indicators, all or nothing; returns the scorecard.
        Row errors are keyed "row N" (N: position in the list, from 1)."""
        answer = not prefers_minimal()
        card = assessments.save_measurements(assessment_id, rows, answer=answer)
        return card if answer else minimal_answer()


@blp.route("/<int:assessment_id>/measurements/upload")
class MeasurementUpload(MethodView):
    @blp.arguments(MeasurementUploadSchema, location="files")
    @blp.response(200, ScorecardSchema)
    @blp.alt_response(204, success=True, description=MINIMAL)
    def post(self, files, assessment_id):
        """A filled-in template (.xlsx or .csv); errors keyed by sheet row ("row 7");
        nothing is saved when any row is wrong."""
        upload = files["file"]
        answer = not prefers_minimal()
        card = assessments.import_measurements(assessment_id, upload.filename or "",
                                               upload.read(), answer=answer)
        return card if answer else minimal_answer()


def _template(assessment_id: int, fmt: str):
    content, mimetype, filename = assessments.measurement_template(assessment_id, fmt)
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=filename)


@blp.route("/<int:assessment_id>/measurements/template.xlsx")
class TemplateXlsx(MethodView):
    @blp.response(200, content_type=assessments.XLSX, description="Excel template")
    def get(self, assessment_id):
        """The period's indicators with codes, names, units, targets and current values."""
        return _template(assessment_id, "xlsx")


@blp.route("/<int:assessment_id>/measurements/template.csv")
class TemplateCsv(MethodView):
    @blp.response(200, content_type="text/csv", description="CSV template (UTF-8, BOM)")
    def get(self, assessment_id):
        return _template(assessment_id, "csv")


@blp.route("/<int:assessment_id>/scorecard")
class ScorecardItem(MethodView):
    @kept_read
    @blp.response(200, ScorecardSchema)
    def get(self, assessment_id):
        """平衡计分卡: total, grade, perspectives, indicators, rank, history, flags."""
        return assessments.scorecard(assessment_id)
