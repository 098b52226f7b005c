"""What Instagram's and Facebook's "Download your information" exports have in common: the
mojibake (every non-ASCII character written as its UTF-8 bytes, each escaped as ``\\u00XX``) and
the HTML variant users sometimes pick. Only Meta's exports are repaired: on correct text the
repair would corrupt legitimate strings."""

from __future__ import annotations

import re
from typing import Any

from skjult.i18n import Text

_SUSPECT = re.compile(r"[\u0080-\u00ff]")

HTML_ADVICE = Text("this is the HTML version of the export; skjult reads the JSON version. "
                   "Request a new one: Accounts Center → Your information and permissions → "
                   "Download your information → Format: JSON")


def repair_text(text: str) -> str:
    """``KÃ¸benhavn`` → ``København``; text that is not Meta's mojibake comes back unchanged."""
    if not _SUSPECT.search(text):
        return text
    for encoding in ("latin-1", "cp1252"):  # cp1252: the file was re-saved by Excel or similar
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def repair(value: Any) -> Any:
    """Every string inside a decoded JSON value, repaired."""
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [repair(v) for v in value]
    if isinstance(value, dict):
        return {k: repair(v) for k, v in value.items()}
    return value


def name_from_folder(path: str, service: str) -> str | None:
    """``instagram-mia.makes-2025-03-01-AbCd`` → ``mia.makes`` (the export's folder or zip name)."""
    for part in reversed(re.split(r"[/\\:]", path)):
        found = re.fullmatch(rf"{service}-(.+?)-\d{{4}}-\d{{2}}-\d{{2}}(-[A-Za-z0-9]+)?(\.zip)?",
                             part, re.IGNORECASE)
        if found:
            return found.group(1)
    return None
