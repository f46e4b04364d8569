"""Password complexity rule (等保 2.0 口令复杂度), shared by the tenant spec and the app.

Pure Python, no I/O. The numbers are arguments (configuration), the defaults are the
platform's policy: at least 8 characters and at least 3 of the 4 character classes
(lower-case letter, upper-case letter, digit, symbol).
"""

from __future__ import annotations

CHARACTER_CLASSES: tuple[str, ...] = ("lower", "upper", "digit", "symbol")
CLASS_LABELS_ZH: dict[str, str] = {
    "lower": "小写字母",
    "upper": "大写字母",
    "digit": "数字",
    "symbol": "符号",
}

DEFAULT_MIN_LENGTH = 8
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
        raise ValueError(f"min_classes must be between 1 and {len(CHARACTER_CLASSES)}")
    if not isinstance(pw, str):
        return ["密码必须是文本（在 YAML 中请加引号）"]
    problems: list[str] = []
    if len(pw) < min_length:
        problems.append(f"密码长度至少 {min_length} 位（当前 {len(pw)} 位）")
    present = character_classes(pw)
    if len(present) < min_classes:
        labels = "、".join(CLASS_LABELS_ZH[c] for c in CHARACTER_CLASSES)
        problems.append(
            f"密码须至少包含{labels}中的 {min_classes} 类（当前 {len(present)} 类）"
        )
    return problems


def password_ok(pw: object, min_length: int = DEFAULT_MIN_LENGTH,
                min_classes: int = DEFAULT_MIN_CLASSES) -> bool:
    """True when :func:`password_problems` finds nothing."""
    return not password_problems(pw, min_length, min_classes)
