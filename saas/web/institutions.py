"""机构列表与机构详情."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from saas.services import institutions
from saas.web import web


@web.get("/")
@login_required
def index():
    if current_user.institution_id:
        return redirect(url_for("web.institution", institution_id=current_user.institution_id))
    return redirect(url_for("web.institutions"))


@web.get("/institutions", endpoint="institutions")
@login_required
def institution_list():
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    return render_template("institutions/list.html", rows=institutions.listing(kind, q),
                           kind=kind, q=q or "")


@web.get("/institutions/<int:institution_id>")
@login_required
def institution(institution_id):
    found = institutions.detail(institution_id)
    return render_template("institutions/detail.html", inst=found["institution"],
                           row=found["row"])
