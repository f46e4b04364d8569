"""Messages for people: a Chinese msgid and its named parameters, translated when shown.

Rules and services say what is wrong as ``N_("期间 %(period)s 不在协议期限内", period=p)``.
The result is a ``str`` that reads in Chinese, the default language (logs, the CLI, tests);
the views show it in the user's language with ``saas.i18n.text``, which translates the
msgid and then fills in the parameters. ``N_`` marks the msgid for extraction
(``pybabel extract -k N_``), so the English catalogue has every message.
"""

from __future__ import annotations


class Msg(str):
    """A msgid with its parameters; as a string, the Chinese text."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, params: dict | None = None) -> Msg:
        params = dict(params or {})
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, params
        return self

    def __reduce__(self):  # pickled by rq and copied by copy.deepcopy: keep the msgid
        return Msg, (self.msgid, self.params)


class Name(str):
    """A name the user entered (an indicator's, a template's), with its English form when
    it has one: a message parameter shown as the English name on English pages."""

    en: str | None

    def __new__(cls, name: str, en: str | None = None) -> Name:
        self = super().__new__(cls, name)
        self.en = en
        return self

    def __reduce__(self):
        return Name, (str(self), self.en)


def N_(msgid: str, **params) -> Msg:
    """A message to translate when shown; a parameter may be a Msg itself (a label)."""
    return Msg(msgid, params)


def message_of(exc: Exception) -> str:
    """The message a rule's exception carries (a Msg when the rule gave one)."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
