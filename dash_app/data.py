"""The region overview's figures, from the read models (saas.services.analytics): counted
in SQL under the request's tenant context, labelled here for the page."""

from __future__ import annotations

from saas.domain.messages import N_
from saas.domain.scoring import GRADE_LABELS_ZH, GRADES
from saas.services import analytics


def region_overview() -> dict:
    kinds = analytics.institutions_by_kind()
    every = sum(kinds.values())  # counted once for the three figures
    grades = analytics.grades(every)
    # Labels are msgids: the layout shows them in the user's language.
    cards = [(N_("定点机构"), every),
             (N_("协议履行中"), analytics.agreements_by_status(institutions=every).get("active", 0)),
             (N_("医院"), kinds.get("hospital", 0)), (N_("药店"), kinds.get("pharmacy", 0))]
    bars = {GRADE_LABELS_ZH[g]: grades[g] for g in GRADES if grades.get(g)}
    if grades.get(None):
        bars[N_("未考核")] = grades[None]
    return {"cards": cards, "grades": bars}
