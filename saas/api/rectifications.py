"""/api/v1/rectifications: the rectification ledger (整改台账) of the caller's scope.

Items open when a finding is confirmed; their steps (start, submit, verify, return) and
the exports come in the next slice of the ledger.
"""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import Id, PageArgs, page_schema, paginate, resource_blueprint
from saas.domain.rectification import STATES
from saas.services import rectifications

URL = "/rectifications"
blp = resource_blueprint("rectifications", __name__, description="整改台账")


class RectificationSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    institution_id = ma.fields.Integer()
    finding_id = ma.fields.Integer(allow_none=True)
    source = ma.fields.String()
    category = ma.fields.String()
    severity = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    owner = ma.fields.Integer(attribute="owner_id", allow_none=True)
    department = ma.fields.String(allow_none=True)
    due_date = ma.fields.Date()
    status = ma.fields.String(metadata={"enum": list(STATES)})
    overdue = ma.fields.Function(rectifications.is_overdue)


class RectificationArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    institution_id = Id()
    finding_id = Id()


@blp.route("")
class RectificationList(MethodView):
    @blp.arguments(RectificationArgs, location="query")
    @blp.response(200, page_schema(RectificationSchema))
    def get(self, args):
        """The ledger, by deadline: an institution's own items (its mock inspections'
        too), the region's for the bureau."""
        filters = {k: args.get(k) for k in ("status", "institution_id", "finding_id")}
        return paginate(rectifications.list_statement(**filters), args)


@blp.route("/<int:item_id>")
class RectificationItem(MethodView):
    @blp.response(200, RectificationSchema)
    def get(self, item_id):
        return rectifications.get(item_id)
