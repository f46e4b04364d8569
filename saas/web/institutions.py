"""机构列表与机构详情."""

from flask import render_template, request

from saas.domain.periods import PeriodError, parse_period
from saas.services import analytics, institutions, measures, rectifications
from saas.web import web

PAGE_SIZE = 50


def _attention() -> tuple[str | None, str | None]:
    attention = request.args.get("attention")
    try:
        period = str(parse_period(request.args.get("period") or ""))
    except PeriodError:
        return None, None
    return (attention, period) if attention in analytics.ATTENTION_FLAGS else (None, None)


@web.get("/institutions", endpoint="institutions")
def institution_list():
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    after = request.args.get("after") or None
    attention, period = _attention()
    page = institutions.page(kind, q, 1, PAGE_SIZE, after, attention, period)
    args = {k: v for k, v in (("kind", kind), ("q", q), ("attention", attention),
                              ("period", period)) if v}
    return render_template("institutions/list.html", rows=page["items"], page=page,
                           kind=kind, q=q or "", attention=attention, period=period,
                           args=args)


@web.get("/institutions/<int:institution_id>")
def institution(institution_id):
    found = institutions.detail(institution_id)
    ledger = rectifications.counts_by_status(
        rectifications.Filters(institution_id=institution_id))
    return render_template("institutions/detail.html", inst=found["institution"],
                           row=found["row"], money=measures.money(institution_id),
                           ledger=ledger)
