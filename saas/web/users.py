"""账号管理: the accounts of the admin's scope, and unlocking a locked one."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.services import users
from saas.web import web

PAGE_SIZE = 50


@web.get("/users", endpoint="users")
def user_list():
    locked = request.args.get("locked") == "1"
    page = users.page(locked, 1, PAGE_SIZE, request.args.get("after") or None)
    return render_template("users/list.html", rows=page["items"], page=page, locked=locked,
                           args={"locked": "1"} if locked else {})


@web.post("/users/<int:user_id>/unlock")
def unlock_user(user_id):
    user = users.unlock(user_id)
    flash(_("已解除 %(email)s 的锁定，可以重新登录", email=user.email), "success")
    return redirect(url_for("web.users"))
