"""/api/v1/notifications: the caller's own notifications, unread first."""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import (
    PageArgs,
    StrictSchema,
    Timestamp,
    page_schema,
    paginate,
    resource_blueprint,
)
from saas.services import notifications

URL = "/notifications"
blp = resource_blueprint("notifications", __name__, description="站内通知")


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    subject = ma.fields.Function(notifications.subject_of)
    link = ma.fields.String(allow_none=True)
    read_at = Timestamp(allow_none=True)
    created_at = Timestamp()


class NotificationReadSchema(StrictSchema):
    pass


@blp.route("")
class NotificationList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(NotificationSchema))
    def get(self, args):
        """The caller's notifications, unread first, then newest."""
        return paginate(notifications.mine_statement(), args)


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @blp.arguments(NotificationReadSchema)
    @blp.response(200, NotificationSchema)
    def post(self, _body, notification_id):
        return notifications.mark_read(notification_id)
