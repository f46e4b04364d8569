"""UI language: Simplified Chinese by default (msgids are Chinese), English switchable.

The English catalogue (saas/translations/en/LC_MESSAGES/messages.po) is compiled to .mo
into the instance folder at start-up when stale, so no build output lives in git.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, request, session
from flask_babel import get_locale, get_translations, gettext

from saas.domain.messages import Msg, Name

SOURCE = Path(__file__).parent / "translations"


def compile_catalogs(target: Path) -> Path:
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
    return target


def install_template_gettext(app) -> None:
    """The templates' _() / ngettext() read the request's catalogue once per request.

    flask_babel's callables find it through several context lookups on every call, and a
    list page calls _() hundreds of times (a label per row and column): about a third of
    such a page's time."""
    def translations():
        found = g.get("_translations")
        if found is None:
            found = g._translations = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    lang = request.args.get("lang")
    if lang in languages:
        session["lang"] = lang
    if request.path.startswith("/api/") and "lang" not in session:
        # API clients say their language in Accept-Language; without it, Chinese.
        wanted = request.accept_languages.best_match(languages)
        if wanted:
            return wanted
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def text(message) -> str:
    """A service's message in the user's language: a Msg's msgid translated, then its
    parameters filled in (each translated too when it is a Msg, a Name in its English
    form on English pages); other text as it is."""
    if isinstance(message, Name):
        return message.en if message.en and str(get_locale()) == "en" else str(message)
    if not isinstance(message, Msg):
        return message
    translated = gettext(message.msgid)
    if not message.params:
        return translated
    return translated % {key: text(value) for key, value in message.params.items()}


def texts(errors: dict) -> dict:
    """Field errors ({field: [message, ...]}) in the user's language."""
    return {field: [text(m) for m in messages] if isinstance(messages, list) else text(messages)
            for field, messages in errors.items()}


def error_texts(exc, field: str = "form") -> dict:
    """A refused request's field messages, or else its message under ``field``, in the
    user's language (what a form shows next to its fields)."""
    return texts(exc.errors) if exc.errors else {field: [text(exc.detail)]}


def error_line(exc) -> str:
    """A refused step's message and its field messages on one line (a flash message)."""
    details = [m for messages in error_texts(exc).values() for m in messages]
    return "；".join([text(exc.detail), *details]) if details else text(exc.detail)
