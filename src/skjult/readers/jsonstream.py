"""JSON read piece by piece: the items of an array (at the top or at a key path inside objects)
are decoded one at a time, so memory holds one post, not the file. Line numbers are tracked for
messages. Values on paths nobody asked for are passed over without being decoded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from skjult.i18n import Text
from skjult.readers.base import without_lone_surrogates
from skjult.readers.limits import MAX_RECORD_CHARS
from skjult.readers.textstream import CHUNK, TextSource

Path = tuple[str | int, ...]
ENDS_IN_VALUE = Text("the file ends inside a value (truncated?)")


class Want(Enum):
    ITEMS = "items"  # stream the items of the array here (an object here is walked instead)
    DESCEND = "descend"  # an object on the way to what we want: walk its keys
    VALUE = "value"  # decode this value whole and hand it over
    NOTHING = "nothing"  # skip it


class JsonStreamError(ValueError):
    """The JSON breaks off or is malformed at ``line``; what follows cannot be read."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def path_text(path: Path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "$"


@dataclass(frozen=True, slots=True)
class Unread:
    """A value that was passed over instead of decoded (too large, too deeply nested, or a
    number no one can hold); the reader goes on after it."""

    reason: str


# Inside a structure only brackets and whole strings matter when passing over it; group 1 is the
# closing quote, missing when the buffer ends first. Inside a string: its end or an escape.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(")?|[\[\]{}]', re.S)
_WHOLE_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_AS_PARENS = str.maketrans("[{]}", "(())")
_LONG_STRING = 4 * CHUNK


def _outside_strings(text: str) -> tuple[str, int]:
    """The text with its complete strings cut out, up to a string the text cuts off; and how
    many characters from the end that string's opening quote stands (-1: none cut off)."""
    if "\\" not in text:  # no escapes: every quote opens or closes a string
        parts = text.split('"')
        if len(parts) % 2:
            return "".join(parts[0::2]), -1
        return "".join(parts[0:-1:2]), len(parts[-1]) + 1
    stripped = _WHOLE_STRING.sub("", text)
    quote = stripped.find('"')  # at most one is left: the string the text cuts off
    if quote < 0:
        return stripped, -1
    return stripped[:quote], len(stripped) - quote


def _net(brackets: str) -> tuple[int, int]:
    """A run of brackets with matched pairs cancelled, as (closing, opening) left over: the
    run can lower the depth by at most the first, and raises it by the second minus the first."""
    rest = brackets.translate(_AS_PARENS)
    for _ in range(64):  # one pass per level of nesting inside the run
        if "()" not in rest:
            closing = len(rest) - len(rest.lstrip(")"))
            return closing, len(rest) - closing
        rest = rest.replace("()", "")
    lowest = level = 0  # nested deeper than 64 inside one chunk: count step by step
    for bracket in rest:
        level += 1 if bracket == "(" else -1
        lowest = min(lowest, level)
    return -lowest, level - lowest
_IN_STRING = re.compile(r'["\\]')


class JsonReader:
    """A cursor over JSON text that refills its buffer from a stream as it goes.

    Each refill reads at least as much as the buffer holds, so a large value costs a number of
    decoding attempts logarithmic in its size, not linear (which made it quadratic). Values no
    one asked for are passed over by a scan that holds no more than a chunk, never decoded."""

    def __init__(self, stream: TextSource):
        self._stream = stream
        self._decoder = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.line = 1
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        more = self._stream.read(max(CHUNK, len(self.buf) - self.pos))
        if not more:
            self._eof = True
            return False
        self.buf = self.buf[self.pos:] + more
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            buf, pos = self.buf, self.pos
            size = len(buf)
            while pos < size and buf[pos] in " \t\r\n\ufeff":
                if buf[pos] == "\n":
                    self.line += 1
                pos += 1
            self.pos = pos
            if pos < size:
                return buf[pos]
            if not self._fill():
                return ""

    def take(self, expected: str) -> None:
        ch = self.peek()
        if ch != expected:
            raise JsonStreamError(
                Text("expected {wanted:q}, found the end of the file", wanted=expected) if ch == ""
                else Text("expected {wanted:q}, found {found:q}", wanted=expected, found=ch),
                self.line)
        self.pos += 1

    def value(self) -> Any:
        """Decode the next value whole, or pass over it and return ``Unread`` when it is larger
        than ``MAX_RECORD_CHARS``, nested beyond the decoder's reach or not representable."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > MAX_RECORD_CHARS:
                    return self._pass_over(Text("a value of more than {limit:n} characters",
                                                limit=MAX_RECORD_CHARS))
                if self._fill():
                    continue
                what = ENDS_IN_VALUE if exc.pos >= len(self.buf) - 1 \
                    else Text("invalid JSON: {error}", error=exc.msg)
                raise JsonStreamError(what, self.line) from None
            except RecursionError:
                return self._pass_over(Text("nested too deeply to read"))
            except ValueError as exc:  # e.g. an integer of more digits than Python converts
                return self._pass_over(Text("a value that cannot be read ({error})", error=str(exc)))
            # a number cut by the buffer's end ("12" of "1234") decodes too early
            if end >= len(self.buf) and not self._eof and self._fill():
                continue
            value = without_lone_surrogates(self.buf[self.pos:end], value)
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return value

    def _pass_over(self, why: str) -> Unread:
        self.skip()
        return Unread(why)

    def skip(self) -> None:
        """Move past the next value without decoding it, holding about a chunk at a time.

        A chunk is passed over whole when its brackets (outside strings) cannot close the value:
        strings are cut out and matched bracket pairs cancelled by C-level string operations,
        so a 20 MB watch history costs a few passes over its text, not a Python step per token.
        Only the chunk in which the value ends is walked token by token."""
        ch = self.peek()
        if ch == '"':
            self.pos += 1
            self._past_string()
            return
        if ch not in "[{":
            self._past_scalar()
            return
        self.pos += 1
        depth = 1
        while True:
            text = self.buf[self.pos:]
            outside, cut_off = _outside_strings(text)
            closes, opens = _net(_NOT_BRACKET.sub("", outside))
            if closes >= depth:
                self._walk_to_end(depth)
                return
            depth += opens - closes
            if cut_off < 0:
                self._advance(len(self.buf))
            else:
                cut = self.pos + len(text) - cut_off
                if len(self.buf) - cut > _LONG_STRING:
                    self._advance(cut + 1)
                    self._past_string()  # a chunk at a time however long the string is
                    continue
                self._advance(cut)  # keep the quote: read the string again, whole
            if not self._fill():
                raise JsonStreamError(ENDS_IN_VALUE, self.line)

    def _walk_to_end(self, depth: int) -> None:
        """Token by token to the bracket that closes a value ``depth`` levels down; it lies in
        the buffer."""
        for found in _TOKEN.finditer(self.buf, self.pos):
            mark = found.group()
            if mark in "[{":
                depth += 1
            elif mark in "]}":
                depth -= 1
                if depth == 0:
                    self._advance(found.end())
                    return
        raise AssertionError("the closing bracket was counted in the buffer")  # pragma: no cover

    def _past_string(self) -> None:
        """From just inside a string to just after its closing quote."""
        while True:
            found = _IN_STRING.search(self.buf, self.pos)
            if found is None or (found.end() >= len(self.buf) and found.group() == "\\"):
                self._advance(found.start() if found is not None else len(self.buf))
                if not self._fill():
                    raise JsonStreamError(Text("the file ends inside a string (truncated?)"),
                                          self.line)
                continue
            if found.group() == '"':
                self._advance(found.end())
                return
            self._advance(found.end() + 1)  # the escaped character

    def _past_scalar(self) -> None:
        while True:
            found = _SCALAR_END.search(self.buf, self.pos)
            if found is not None:
                self._advance(found.start())
                return
            self._advance(len(self.buf))
            if not self._fill():
                return

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def at_end(self) -> bool:
        return self.peek() == ""


_SCALAR_END = re.compile(r"[\s,\]}]")


Select = Callable[[Path], Want]


def walk(reader: JsonReader, select: Select, path: Path = ()) -> Iterator[tuple[Path, int, Any]]:
    """``(path, line, value)`` for each array item (``Want.ITEMS``) or value (``Want.VALUE``) that
    ``select`` asks for, in file order. Raises ``JsonStreamError`` on broken JSON."""
    want = select(path)
    ch = reader.peek()
    if want is Want.ITEMS and ch == "[":
        reader.take("[")
        index = 0
        if reader.peek() == "]":
            reader.take("]")
            return
        while True:
            line = reader.line
            yield (*path, index), line, reader.value()
            index += 1
            if reader.peek() == ",":
                reader.take(",")
                continue
            reader.take("]")
            return
    if want in (Want.DESCEND, Want.ITEMS) and ch == "{":
        reader.take("{")
        if reader.peek() == "}":
            reader.take("}")
            return
        while True:
            key = reader.value()
            if not isinstance(key, str):
                raise JsonStreamError(Text("expected a key"), reader.line)
            reader.take(":")
            yield from walk(reader, select, (*path, key))
            if reader.peek() == ",":
                reader.take(",")
                continue
            reader.take("}")
            return
    line = reader.line
    if want is Want.VALUE:
        yield path, line, reader.value()
    else:
        reader.skip()
