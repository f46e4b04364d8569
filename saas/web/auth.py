"""登录 / 退出 / 修改密码 / 切换语言."""

import time
from urllib.parse import unquote, urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from saas.auth import SIGNED_IN_AT
from saas.errors import DomainError
from saas.i18n import text, texts
from saas.services import auth
from saas.web import web


class LoginForm(FlaskForm):
    email = EmailField(_l("邮箱"), validators=[DataRequired(_l("请输入邮箱")), Email(_l("邮箱格式不正确"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=200)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码"))])


def _safe_next(target: str | None) -> str:
    r"""`next` only as a path on this site. Browsers drop tabs and newlines and read a
    backslash as a slash, so "/\t/evil" or "/\evil" would leave the site: any of those,
    also once percent-decoded ("/%09/evil"), sends the user home instead."""
    if target and all(_local_path(text) for text in (target, unquote(target))):
        return target
    return url_for("web.index")


def _local_path(text: str) -> bool:
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in text):
        return False
    parts = urlsplit(text)
    return text.startswith("/") and not text.startswith("//") and not parts.scheme \
        and not parts.netloc


@web.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = auth.authenticate(form.email.data, form.password.data,
                                     request.remote_addr)
        except auth.SignInThrottled as exc:
            return render_template("auth/login.html", form=form, error=text(exc.detail)), 429
        except DomainError as exc:
            error = text(exc.detail)
        else:
            session.clear()
            login_user(user)
            session[SIGNED_IN_AT] = time.time()
            if auth.password_expired(user):
                flash(_("密码已超过有效期，请修改密码"), "warning")
                return redirect(url_for("web.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@web.post("/logout")
def logout():
    auth.end_sessions(current_user.id)  # a copied cookie or token ends too
    logout_user()
    session.clear()
    flash(_("已安全退出"), "info")
    return redirect(url_for("web.login"))


@web.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = PasswordForm()
    errors = {}
    if form.validate_on_submit():
        try:
            user = auth.change_password(current_user.id, form.current_password.data,
                                        form.new_password.data)
        except DomainError as exc:
            errors = texts(exc.errors)
        else:
            login_user(user)  # this session goes on, with the new session version
            flash(_("密码已修改"), "success")
            return redirect(url_for("web.index"))
    return render_template("auth/password.html", form=form, errors=errors)


@web.get("/lang/<code>")
def switch_language(code):
    if code in ("zh_CN", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
