"""/api/v1/institutions: the institutions the caller may see."""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import PageArgs, page_schema, resource_blueprint
from saas.services import institutions

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
