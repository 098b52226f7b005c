"""The located error of the whole project: a rule pack, a configuration or a draft names the
file, the line and what to do (``RuleError``; ``ConfigError`` extends it), with a did-you-mean."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from skjult.i18n import Text


class RuleError(Exception):
    def __init__(self, file: str, line: int | None, message: str, hint: str | None = None):
        self.file = file
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    # a message (English ``did you mean "x"?``), so that a Danish error says it in Danish
    return Text("did you mean {choice:q}?", choice=close[0]) if close else None
