"""What every output format implements: called once per post, then once at the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, Protocol

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
        return self.stream.write(encodable(text))


class Formatter:
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        self.out: Writer = Encodable(out)
        self.color = color
        self.lang = lang
        self.rules = rules  # the rules of the run, for formats that describe them
        self.options = options or {}  # a format's own settings (csv: per, delimiter, bom)

    def start(self, info: RunInfo) -> None:
        """Before the first post; ``info`` says how the run is made: date, inputs, packs,
        configuration, rules in force."""

    def post(self, result: PostResult) -> None:
        """One checked post, in input order."""

    def finish(self, report: Report) -> None:
        """After the last post: summaries, skips and totals."""
