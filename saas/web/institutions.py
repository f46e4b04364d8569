"""机构列表与机构详情."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from saas.services import institutions
from saas.web import web

PAGE_SIZE = 50


@web.get("/")
def index():
    if current_user.institution_id:
        return redirect(url_for("web.institution", institution_id=current_user.institution_id))
    return redirect(url_for("web.institutions"))


@web.get("/institutions", endpoint="institutions")
def institution_list():
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    after = request.args.get("after") or None
    page = institutions.page(kind, q, 1, PAGE_SIZE, after)
    return render_template("institutions/list.html", rows=page["items"], page=page,
                           kind=kind, q=q or "",
                           args={k: v for k, v in (("kind", kind), ("q", q)) if v})


@web.get("/institutions/<int:institution_id>")
def institution(institution_id):
    found = institutions.detail(institution_id)
    return render_template("institutions/detail.html", inst=found["institution"],
                           row=found["row"])
