"""Read models for the dashboards (scoped by the tenant context of the request)."""

from __future__ import annotations

from collections import Counter

from saas.services import institutions
from saas.web.labels import LABELS


def region_overview() -> dict:
    rows = institutions.listing()
    kinds = Counter(r["kind"] for r in rows)
    grades = Counter(LABELS["grade"].get(r["grade"], "未考核") for r in rows)
    active = sum(1 for r in rows if r["agreement_status"] == "active")
    cards = [("定点机构", len(rows)), ("协议履行中", active),
             ("医院", kinds.get("hospital", 0)), ("药店", kinds.get("pharmacy", 0))]
    return {"cards": cards, "grades": dict(grades)}

