"""/api/v1/institutions: the institutions the caller may see."""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import PageArgs, YearArgs, page_schema, resource_blueprint
from saas.api.kept_reads import kept_read
from saas.domain.measures import WITH_AMOUNT
from saas.services import institutions, measures

URL = "/institutions"
blp = resource_blueprint("institutions", __name__, description="定点医药机构")


class InstitutionSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": ["hospital", "clinic", "pharmacy"]})
    level = ma.fields.String(allow_none=True)
    credit_code = ma.fields.String(allow_none=True)
    region = ma.fields.Dict()
    agreement_status = ma.fields.String(allow_none=True)
    agreement_id = ma.fields.Integer(allow_none=True)
    latest_score = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    points_this_year = ma.fields.Float()


class InstitutionArgs(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(["hospital", "clinic", "pharmacy"]))
    q = ma.fields.String(validate=ma.validate.Length(max=100))


@blp.route("")
class InstitutionList(MethodView):
    @kept_read
    @blp.arguments(InstitutionArgs, location="query")
    @blp.response(200, page_schema(InstitutionSchema))
    def get(self, args):
        """Institutions of the caller's scope (a bureau: its region; an institution: itself)."""
        return institutions.page(args.get("kind"), args.get("q"), args["page"],
                                 args["page_size"], args.get("after"))


@blp.route("/<int:institution_id>")
class InstitutionItem(MethodView):
    @blp.response(200, InstitutionSchema)
    def get(self, institution_id):
        return institutions.detail(institution_id)["row"]


class MoneyLineSchema(ma.Schema):
    measure_id = ma.fields.Integer()
    measure = ma.fields.String(metadata={"enum": sorted(WITH_AMOUNT)})
    amount_fen = ma.fields.Integer()
    effective_on = ma.fields.Date()
    basis = ma.fields.String()


class MoneySchema(ma.Schema):
    institution_id = ma.fields.Integer()
    year = ma.fields.Integer()
    total_fen = ma.fields.Integer()
    by_measure = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    measures = ma.fields.List(ma.fields.Nested(MoneyLineSchema))


@blp.route("/<int:institution_id>/money")
class InstitutionMoney(MethodView):
    @blp.arguments(YearArgs, location="query")
    @blp.response(200, MoneySchema)
    def get(self, args, institution_id):
        """协议处理的金额 in the year (default this year), in fen: clawback, refused
        payment, contractual penalty, deposit deduction, each line traced to its measure."""
        return measures.money(institution_id, args.get("year"))
