"""Password complexity rule (等保 2.0 口令复杂度), shared by the tenant spec and the app.

Pure Python, no I/O. The numbers are arguments (configuration), the defaults are the
platform's policy: at least 12 characters and at least 3 of the 4 character classes
(lower-case letter, upper-case letter, digit, symbol).
"""

from __future__ import annotations

from saas.domain.messages import N_

CHARACTER_CLASSES: tuple[str, ...] = ("lower", "upper", "digit", "symbol")
CLASS_LABELS_ZH: dict[str, str] = {
    "lower": "小写字母",
    "upper": "大写字母",
    "digit": "数字",
    "symbol": "符号",
}

DEFAULT_MIN_LENGTH = 12
DEFAULT_MIN_CLASSES = 3


def character_classes(pw: str) -> set[str]:
    """The classes present in ``pw``: ASCII letters and digits by case, anything else
    that is not white space counts as a symbol (so does a CJK character)."""
    found: set[str] = set()
    for ch in pw:
        if "a" <= ch <= "z":
            found.add("lower")
        elif "A" <= ch <= "Z":
            found.add("upper")
        elif "0" <= ch <= "9":
            found.add("digit")
        elif not ch.isspace():
            found.add("symbol")
    return found


def password_problems(
    pw: object,
    min_length: int = DEFAULT_MIN_LENGTH,
    min_classes: int = DEFAULT_MIN_CLASSES,
) -> list[str]:
    """What is wrong with ``pw`` (Chinese messages); an empty list means acceptable.

    Never echoes the password itself.
    """
    if min_length < 1:
        raise ValueError("min_length must be >= 1")
    if not 1 <= min_classes <= len(CHARACTER_CLASSES):
        raise ValueError("min_classes must be between 1 and the number of classes",
                         len(CHARACTER_CLASSES))
    if not isinstance(pw, str):
        return [N_("密码必须是文本（在 YAML 中请加引号）")]
    problems: list[str] = []
    if len(pw) < min_length:
        problems.append(N_("密码长度至少 %(min)s 位（当前 %(n)s 位）", min=min_length, n=len(pw)))
    present = character_classes(pw)
    if len(present) < min_classes:
        problems.append(N_("密码须至少包含小写字母、大写字母、数字、符号中的 %(min)s 类"
                           "（当前 %(n)s 类）", min=min_classes, n=len(present)))
    return problems


def password_ok(pw: object, min_length: int = DEFAULT_MIN_LENGTH,
                min_classes: int = DEFAULT_MIN_CLASSES) -> bool:
    """True when :func:`password_problems` finds nothing."""
    return not password_problems(pw, min_length, min_classes)
