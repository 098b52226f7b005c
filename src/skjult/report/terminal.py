"""Text from the input made safe to print on a terminal (or into a log a terminal will show).

Captions, creator names, ids and file names are hostile input. A terminal acts on control
characters instead of showing them: ``ESC [`` moves the cursor, recolours or clears the screen,
``ESC ] 8 ;;`` plants a link, ``ESC ] 0 ;`` retitles the window, ``\\r`` and backspace overwrite
what was printed before, and the C1 characters (U+0080–U+009F, e.g. U+009B, a one-character
``ESC [``) do the same on terminals that honour them. A report that printed them raw would let a
caption rewrite the report around it. ``printable`` shows them as visible escapes instead.

Lone surrogates (``"\\ud83c"``, as ``json.loads`` makes of half an emoji pair) cannot be encoded
at all; they are shown the same way so that printing never fails.
"""

from __future__ import annotations

import re
from functools import lru_cache

# C0 controls, DEL, C1 controls and the surrogate range: nothing here is meant to be seen.
_UNPRINTABLE = "\x00-\x1f\x7f-\x9f\ud800-\udfff"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATES = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=8)
def _pattern(keep: str) -> re.Pattern[str]:
    if not keep:
        return re.compile(f"[{_UNPRINTABLE}]")
    return re.compile(f"(?![{re.escape(keep)}])[{_UNPRINTABLE}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character and lone surrogate shown as a visible escape
    (``\\x1b``, ``\\x9b``, ``\\r``, ``\\ud83c``), so it cannot steer the terminal it is printed on.

    ``keep`` names control characters that are legitimate where the text goes and pass as they
    are: ``"\\t"`` in a caption excerpt, ``"\\n\\t"`` in a message of several lines. By default
    nothing passes, so a value stays on its one line (a newline in a file name cannot start a
    fake report line). Printable text, including non-ASCII letters and emoji, is unchanged."""
    return _pattern(keep).sub(_escape, text)


def encodable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that writing it as UTF-8 cannot
    fail. Everything else is unchanged (for formats whose own escaping handles the rest)."""
    return _SURROGATES.sub("\ufffd", text)
