"""The languages of reports and messages, and the small words every format shares.

One place for what "Danish" and "English" mean to skjult: which languages exist, how a number,
a count with its noun, a quotation, a verdict and a severity are written in each.
"""

from __future__ import annotations

LANGS = ("da", "en")
DEFAULT_LANG = "da"

VERDICTS = {
    "da": {"not_commercial": "ikke kommerciel", "compliant": "i orden", "warning": "advarsel",
           "violation": "overtrædelse"},
    "en": {"not_commercial": "not commercial", "compliant": "compliant", "warning": "warning",
           "violation": "violation"},
}
SEVERITIES = {
    "da": {"error": "fejl", "warning": "advarsel", "info": "info"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
UNKNOWN = {"da": "(ukendt)", "en": "(unknown)"}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def number(value: int, lang: str) -> str:
    """12345 as the language writes it: ``12.345`` in Danish, ``12,345`` in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "da" else text


def percent(share: float, lang: str) -> str:
    """0.875 → ``88 %`` (Danish puts a space before the sign) or ``88%``."""
    return f"{share:.0%}".replace("%", " %") if lang == "da" else f"{share:.0%}"


def counted(value: int, lang: str, one: str, other: str) -> str:
    """``1 post``, ``2 posts``, ``1.234 opslag``: the number and its noun in the right form."""
    return f"{number(value, lang)} {one if value == 1 else other}"


def quote(text: str, lang: str) -> str:
    """A quotation as the language marks it: »sådan« in Danish, "like this" in English."""
    return f"»{text}«" if lang == "da" else f'"{text}"'


def verdict(name: str, lang: str) -> str:
    return VERDICTS[lang].get(name, name)


def severity(name: str, lang: str) -> str:
    return SEVERITIES[lang].get(name, name)
