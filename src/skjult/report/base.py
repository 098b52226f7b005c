"""What every output format implements: called once per post, then once at the end.

Formats whose text for a post depends on that post alone (``per_post_text``) can also render it
as a string, ``text(result)``: a ``--jobs`` worker renders it where the post was judged, and the
main process only writes it (``post_texts``), which spares it unpickling and formatting every
result. A ``Blueprint`` carries such a format to the worker."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Protocol

from skjult.model import PostResult
from skjult.report.summary import Report
from skjult.report.terminal import encodable
from skjult.rules.rule import Rule
from skjult.runinfo import RunInfo

SCHEMA_VERSION = "1"


class Writer(Protocol):
    def write(self, text: str, /) -> int: ...


class Encodable:
    """Passes text on to ``out`` with lone surrogates replaced, so that no format fails with
    ``UnicodeEncodeError`` on half an emoji pair (``"\\ud83c"`` from a JSON export) and loses
    the whole report. Formats escape everything else themselves."""

    def __init__(self, out: IO[str]) -> None:
        self.stream = out

    def write(self, text: str, /) -> int:
        # Only a surrogate makes encoding fail, and encoding finds out six times faster than
        # the replacing regex searches a post's record (which is almost never needed).
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                text = encodable(text)
        return self.stream.write(text)


class Formatter:
    # True when ``post(result)`` writes exactly ``text(result)`` and that text depends on the
    # result and the constructor's settings alone, not on the posts before it: the text can then
    # be made in another process and written here later (``post_texts``), byte for byte the same.
    per_post_text: ClassVar[bool] = False
    # What stands between two posts' texts in the output (JSON's comma), for ``post_texts``.
    text_separator: ClassVar[str] = ""

    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        self.out: Writer = Encodable(out)
        self.color = color
        self.lang = lang
        self.rules = rules  # the rules of the run, for formats that describe them
        self.options = options or {}  # a format's own settings (csv: per, delimiter, bom)

    def blueprint(self) -> Blueprint:
        """How to build this formatter again in another process (to render ``text`` there)."""
        return Blueprint(type(self), self.color, self.lang, tuple(self.rules), dict(self.options))

    def text(self, result: PostResult) -> str:
        """What ``post(result)`` writes, as a string (formats with ``per_post_text`` only)."""
        raise NotImplementedError(f"{type(self).__name__} has no text of its own per post")

    def post_texts(self, text: str, count: int) -> None:
        """``count`` posts' ``text()``, in input order, joined with ``text_separator``: written as
        ``post()`` would have written each of them."""
        if text:  # a post without findings has no line in some formats
            self.out.write(text)

    def start(self, info: RunInfo) -> None:
        """Before the first post; ``info`` says how the run is made: date, inputs, packs,
        configuration, rules in force."""

    def post(self, result: PostResult) -> None:
        """One checked post, in input order."""

    def finish(self, report: Report) -> None:
        """After the last post: summaries, skips and totals."""


@dataclass(frozen=True)
class Blueprint:
    """A formatter's class and constructor settings: picklable (a worker started with "spawn"
    gets it pickled), and built again there with ``build``."""

    kind: type[Formatter]
    color: bool = False
    lang: str = "da"
    rules: tuple[Rule, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Formatter:
        """The formatter, writing to a string buffer: only its ``text`` is used."""
        return self.kind(io.StringIO(), color=self.color, lang=self.lang, rules=self.rules,
                         options=dict(self.options))
