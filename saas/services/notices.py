"""书面告知: a measure's written notice as a PDF (协议处理告知书 before the decision,
协议处理决定书 after it), from an HTML template through WeasyPrint, in Debian's Noto CJK
fonts. The one PDF path of the project: later PDFs (整改报告) render the same way."""

from __future__ import annotations

from flask import render_template

from saas.domain.measures import MEASURE_LABELS_ZH
from saas.domain.messages import N_
from saas.errors import DomainError
from saas.services import measures
from saas.timeutil import today_local

DECIDED = ("decided", "effective", "lifted", "ended", "revoked")


class PdfUnavailable(DomainError):
    """WeasyPrint cannot run here (its Pango libraries are missing)."""


def measure_notice(measure_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the measure's notice, as far as it has gone: the
    institution's copy once notified (the tenant filter hides it before)."""
    measure = measures.get(measure_id)
    decided = measure.status in DECIDED
    decision = next((e for e in reversed(measure.events) if e.action == "decide"), None)
    html = render_template("notices/measure.html", measure=measure, decided=decided,
                           decision=decision, today=today_local(),
                           measure_labels=MEASURE_LABELS_ZH)
    kind = "决定书" if decided else "告知书"
    return f"measure-{measure.id}-{kind}.pdf", render_pdf(html)


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # pragma: no cover - a machine without Pango
        raise PdfUnavailable(N_("无法生成 PDF：缺少 Pango 字体排版库（apt-get install "
                                "libpango-1.0-0 libpangoft2-1.0-0）")) from exc
    return HTML(string=html).write_pdf()
