"""/api/v1/templates: 协议范本 versions, their clauses and indicators, diff, import, export.

Published versions are immutable: there is no PUT or DELETE. A change is an import whose
content differs from the latest version; it becomes the next version.
"""

import marshmallow as ma
from flask import send_file
from flask.views import MethodView

from saas.api.common import (
    Id,
    PageArgs,
    StrictSchema,
    Timestamp,
    page_schema,
    paginate,
    resource_blueprint,
)
from saas.domain.filetypes import XLSX
from saas.domain.scoring import DIRECTIONS, PERSPECTIVES
from saas.services import templates

URL = "/templates"
blp = resource_blueprint("templates", __name__, description="协议范本（版本化，发布后不可修改）")


class TemplateIndicatorSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String(allow_none=True)
    perspective = ma.fields.String(
        metadata={"enum": list(PERSPECTIVES)})
    unit = ma.fields.String()
    direction = ma.fields.String(
        metadata={"enum": list(DIRECTIONS)})
    target = ma.fields.Float(allow_none=True)
    warning = ma.fields.Float(allow_none=True)
    zero = ma.fields.Float(allow_none=True)
    min = ma.fields.Float(attribute="value_min", allow_none=True, metadata={
        "description": "lowest value a measurement may take; null: the unit's (0 for most)"})
    max = ma.fields.Float(attribute="value_max", allow_none=True, metadata={
        "description": "highest value; null: the unit's (100 for %, else none)"})
    max_points = ma.fields.Float()
    frequency = ma.fields.String(metadata={"enum": ["monthly", "quarterly", "annual"]})
    data_source = ma.fields.String(
        metadata={"enum": ["self_report", "claims", "survey", "inspection"]})
    evidence_required = ma.fields.Boolean()


class TemplateClauseSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()
    depth = ma.fields.Integer()
    indicators = ma.fields.List(ma.fields.Nested(TemplateIndicatorSchema))


class TemplateSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    version = ma.fields.Integer()
    status = ma.fields.String()
    applies_to = ma.fields.List(ma.fields.String())
    perspective_weights = ma.fields.Function(lambda t: t.settings.get("perspective_weights"))
    grade_bands = ma.fields.Function(lambda t: t.settings.get("grade_bands"))
    points = ma.fields.Function(lambda t: t.settings.get("points"))
    thresholds = ma.fields.Function(lambda t: t.settings.get("thresholds"))
    published_at = Timestamp(allow_none=True)


class TemplateArgs(PageArgs):
    code = ma.fields.String(validate=ma.validate.Length(max=40))
    latest = ma.fields.Boolean(load_default=False,
                               metadata={"description": "only the latest version of each code"})


class TemplateDiffArgs(StrictSchema):
    against = Id(
        metadata={"description": "id of the version to compare with (default: previous)"})


class TemplateRefSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    version = ma.fields.Integer()


class TemplateChangeSchema(ma.Schema):
    kind = ma.fields.String(metadata={"enum": ["template", "clause", "indicator"]})
    code_or_number = ma.fields.String()
    change = ma.fields.String(metadata={"enum": ["added", "removed", "changed"]})
    fields = ma.fields.Dict(metadata={"description": "field → [old, new]"})


class TemplateDiffSchema(ma.Schema):
    template = ma.fields.Nested(TemplateRefSchema)
    against = ma.fields.Nested(TemplateRefSchema)
    changes = ma.fields.List(ma.fields.Nested(TemplateChangeSchema))


class TemplateUploadSchema(StrictSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                                  "description": ".xlsx workbook or .yaml"})


@blp.route("")
class TemplateList(MethodView):
    @blp.arguments(TemplateArgs, location="query")
    @blp.response(200, page_schema(TemplateSchema))
    def get(self, args):
        """Template versions of the caller's region."""
        return paginate(templates.list_statement(args.get("code"), args["latest"]), args)


@blp.route("/import")
class TemplateImport(MethodView):
    @blp.arguments(TemplateUploadSchema, location="files")
    @blp.response(201, TemplateSchema)
    @blp.alt_response(200, schema=TemplateSchema, description="same content as the latest")
    def post(self, files):
        """Publish a template from an .xlsx workbook (docs/template-workbook.md) or YAML.
        A new version when the content differs from the latest version; all or nothing."""
        upload = files["file"]
        template, created = templates.import_file(upload.filename, upload.read())
        return template, (201 if created else 200)


@blp.route("/<int:template_id>")
class TemplateItem(MethodView):
    @blp.response(200, TemplateSchema)
    def get(self, template_id):
        return templates.get(template_id)


@blp.route("/<int:template_id>/clauses")
class TemplateClauses(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(TemplateClauseSchema))
    def get(self, args, template_id):
        """Clauses in document order, each with its indicators."""
        return paginate(templates.clauses_statement(template_id), args)


@blp.route("/<int:template_id>/diff")
class TemplateDiff(MethodView):
    @blp.arguments(TemplateDiffArgs, location="query")
    @blp.response(200, TemplateDiffSchema)
    def get(self, args, template_id):
        """What changed from `against` (default: the previous version) to this version."""
        return templates.diff(template_id, args.get("against"))


@blp.route("/<int:template_id>/export.xlsx")
class TemplateExport(MethodView):
    @blp.response(200, description="the template as an .xlsx workbook")
    def get(self, template_id):
        from io import BytesIO

        filename, data = templates.export_workbook(template_id)
        return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                         download_name=filename)
