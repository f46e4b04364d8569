"""/api/v1/evidence: upload a file (multipart) and fetch it back."""

import io

import marshmallow as ma
from flask import redirect, send_file
from flask.views import MethodView

from saas.api.common import Id, StrictSchema, Timestamp, resource_blueprint
from saas.services import evidence

URL = "/evidence"
blp = resource_blueprint("evidence", __name__, description="证据材料")


class EvidenceSchema(ma.Schema):
    id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    filename = ma.fields.String()
    sha256 = ma.fields.String()
    size = ma.fields.Integer()
    content_type = ma.fields.String()
    measurement_id = ma.fields.Integer(allow_none=True)
    finding_id = ma.fields.Integer(allow_none=True)
    created_at = Timestamp()


class EvidenceUploadSchema(StrictSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    institution_id = Id(
        metadata={"description": "required for bureau users; institutions upload for "
                                 "themselves"})


@blp.route("")
class EvidenceUpload(MethodView):
    @blp.arguments(EvidenceUploadSchema, location="multipart")
    @blp.response(201, EvidenceSchema)
    def post(self, body):
        """One file: JPG, PNG, PDF, XLSX or CSV (checked by content), at most
        EVIDENCE_MAX_MB; kept with its SHA-256."""
        file = body["file"]
        upload = evidence.Upload(file.filename or "", file.read(), file.mimetype or "")
        return evidence.upload(upload, body.get("institution_id"))


@blp.route("/<int:evidence_id>")
class EvidenceItem(MethodView):
    @blp.response(200, content_type="application/octet-stream",
                  description="the file (local storage)")
    @blp.alt_response(302, description="redirect to a short-lived presigned S3 URL")
    def get(self, evidence_id):
        item, url, data = evidence.content(evidence_id)
        if url:
            return redirect(url, code=302)
        return send_file(io.BytesIO(data), mimetype=item.content_type, as_attachment=True,
                         download_name=item.filename)
