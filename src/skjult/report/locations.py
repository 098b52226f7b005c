"""Where a finding is in a file, for the formats that point editors and CI at it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from skjult.model import Finding, Post
from skjult.report.terminal import encodable

_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Place:
    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    offset: int | None = None  # characters from the start of the file
    length: int | None = None


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def place(post: Post, finding: Finding) -> Place:
    """In a draft, the finding's own words (the whole caption for a finding about the whole
    post); in an export, the record's line (the caption's position inside a JSON string or CSV
    cell is not a place an editor can jump to)."""
    file = post.file or "<input>"
    if post.verbatim:
        chars, lines = post.offset
        if finding.whole_post:
            end_line, end_column = _line_col(post.text, len(post.text))
            return Place(file, 1 + lines, 1, end_line + lines, end_column, chars, len(post.text))
        end_line, end_column = _line_col(post.text, finding.end)
        return Place(file, finding.line + lines, finding.column, end_line + lines, end_column,
                     chars + finding.start, finding.end - finding.start)
    found = _LINE.search(post.source or "")
    return Place(file, int(found.group(1)) if found else 1, 1)


def uri(file: str) -> str:
    """A relative URI reference for SARIF (a zip member's ``a.zip:x`` keeps its colon escaped).

    A file name that is not valid UTF-8 comes from the file system with its bytes as surrogates
    (``surrogateescape``); they are percent-encoded as those bytes. Any other lone surrogate
    cannot be encoded and becomes U+FFFD."""
    path = file.replace("\\", "/")
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(encodable(path), safe="/")
