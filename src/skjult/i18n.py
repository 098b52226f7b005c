"""The languages of reports and messages, and the small words every format shares.

One place for what "Danish" and "English" mean to skjult: which languages exist, how a number,
a count with its noun, a quotation, a verdict and a severity are written in each.

Messages — skips, notes, unreadable files, errors on stderr — are made deep in the readers, which
do not know the language of the run. They are made as ``Text``: a ``str`` that holds the English
message (so everything that treats it as text keeps working, and it pickles across ``--jobs``
workers) and also its template and parameters, so that the formats and the CLI can say it in the
report's language at display time with ``localize``. The Danish wording of every template is in
``messages.da.toml`` beside this module, keyed by the English template; a test proves that every
template used in the source has one and that none is unused.

A template is ``str.format`` syntax with plain field names. A parameter that is itself a ``Text``
is said in the same language; any other parameter (a file name, caption text, an operating
system's error) is shown as it is. Format specs:

- ``{count:n}`` — a number with the language's thousands separator (``1.234`` / ``1,234``);
- ``{count:n|record|records}`` — the number and the noun in singular or plural; the Danish
  template names its own nouns (``{count:n|post|poster}``);
- ``{name:q}`` — a quotation: »name« in Danish, "name" in English.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

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


def check_lang(lang: Any) -> str:
    """``lang`` if skjult speaks it, else a ``ValueError`` saying which it does."""
    if lang not in LANGS:
        raise ValueError(f"lang must be {' or '.join(repr(x) for x in LANGS)}, not {lang!r}")
    return str(lang)


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


# -- translatable messages ----------------------------------------------------------------------
CATALOGUE = "messages.da.toml"  # beside this module; keyed by the English template


class Text(str):
    """A message: the English text (this ``str``), with the template and parameters it was made
    of, so that ``localize`` can say it in another language. ``str(text)`` is the ``Text``
    itself, so a message survives ``str(exception)``; joining it into other text (``+``,
    f-strings) makes plain English text, so a message made of messages is a ``Text`` whose
    parameters are ``Text``."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        # English is the text itself; without our format specs str.format says it (faster: a
        # post's source and position are messages too)
        english = template.format_map(params) if _plain(template) else render(template, params, "en")
        self = super().__new__(cls, english)
        self.template = template
        self.params = params
        return self

    def __str__(self) -> str:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return _text, (self.template, dict(self.params))


def _text(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)


@functools.lru_cache(maxsize=1024)
def _parts(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A template as (literal text, field name or None, format spec), parsed once."""
    return tuple((literal, name, spec or "")
                 for literal, name, spec, _ in string.Formatter().parse(template))


@functools.lru_cache(maxsize=1024)
def _plain(template: str) -> bool:
    """Whether a template has no format specs (and so reads the same through ``str.format``)."""
    return all(not spec for _, name, spec in _parts(template) if name is not None)


def render(template: str, params: Mapping[str, Any], lang: str) -> str:
    """``template`` with its fields filled in as ``lang`` writes them (see the module's notes)."""
    out = []
    for literal, name, spec in _parts(template):
        out.append(literal)
        if name is not None:
            out.append(_field(params[name], spec, lang))
    return "".join(out)


def _field(value: Any, spec: str, lang: str) -> str:
    if isinstance(value, Text):
        value = localize(value, lang)
    if spec == "n":
        return number(value, lang)
    if spec.startswith("n|"):
        _, one, other = spec.split("|")
        return counted(value, lang, one, other)
    if spec == "q":
        return quote(str(value), lang)
    return format(value, spec) if spec else str(value)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The templates of ``lang`` by their English template (English itself: none needed)."""
    if lang == "en":
        return {}
    data = resources.files("skjult").joinpath(CATALOGUE).read_text(encoding="utf-8")
    return {str(k): str(v) for k, v in tomllib.loads(data).items()}


def localize(message: str, lang: str) -> str:
    """``message`` in ``lang``: a ``Text`` said from its template and parameters, any other
    text (from the input, or already said in a language) as it is."""
    if not isinstance(message, Text) or lang == "en":
        return message
    template = catalogue(lang).get(message.template, message.template)
    return render(template, message.params, lang)


def joined(messages: Sequence[str]) -> str:
    """Messages one per line, each said in the language the whole is said in ("" for none)."""
    out = ""
    for message in messages:
        out = Text("{above}\n{below}", above=out, below=message) if out else message
    return out


def described(item: Any) -> Text:
    """A skip, note or unreadable file as one message: ``file:position: reason`` or
    ``file: message`` (duck-typed on ``skjult.items.Skip``, ``Notice`` and ``Unreadable``)."""
    position = getattr(item, "position", None)
    message = item.reason if hasattr(item, "reason") else item.message
    if position:
        return Text("{file}:{position}: {message}", file=item.file, position=position,
                    message=message)
    return Text("{file}: {message}", file=item.file, message=message)

