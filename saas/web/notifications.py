"""通知 page: the signed-in user's notifications, unread first; opening one marks it read."""

from flask import redirect, render_template, url_for

from saas.extensions import db
from saas.services import notifications
from saas.web import web

SHOWN = 100


@web.get("/notifications", endpoint="notifications")
def notification_list():
    rows = db.session.execute(notifications.mine_statement().limit(SHOWN)).scalars().all()
    return render_template("notifications.html", rows=rows, subject_of=notifications.subject_of)


@web.post("/notifications/<int:notification_id>/read")
def notification_open(notification_id):
    """Read, then on to what it is about."""
    notification = notifications.mark_read(notification_id)
    return redirect(notification.link or url_for("web.notifications"))


@web.post("/notifications/read-all")
def notifications_read_all():
    notifications.mark_all_read()
    return redirect(url_for("web.notifications"))
