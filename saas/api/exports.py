"""/api/v1/exports: a large export's job (导出任务), the caller's own: its progress, then
its file."""

import io

import marshmallow as ma
from flask import send_file
from flask.views import MethodView

from saas.api.common import Timestamp, resource_blueprint
from saas.services import exports

URL = "/exports"
blp = resource_blueprint("exports", __name__, description="导出任务")


class ExportSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    fmt = ma.fields.String(metadata={"enum": list(exports.FORMATS)})
    status = ma.fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    done_rows = ma.fields.Integer()
    total_rows = ma.fields.Integer()
    filename = ma.fields.String(allow_none=True)
    created_at = Timestamp()
    finished_at = Timestamp(allow_none=True)


@blp.route("/<int:export_id>")
class ExportItem(MethodView):
    @blp.response(200, ExportSchema)
    def get(self, export_id):
        """Where the export stands (rows done of rows in all)."""
        return exports.get(export_id)


@blp.route("/<int:export_id>/file")
class ExportContent(MethodView):
    @blp.response(200, content_type="application/octet-stream", description="the file")
    def get(self, export_id):
        """The finished file (409 while it is being built)."""
        export, data = exports.content(export_id)
        return send_file(io.BytesIO(data), mimetype=exports.MEDIA_TYPES[export.fmt],
                         as_attachment=True, download_name=export.filename)
