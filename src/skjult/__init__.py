"""skjult — finds hidden advertising ("skjult reklame") in social-media captions.

    >>> import skjult
    >>> result = skjult.check("Tak til @brand for gaven 🎁 Brug koden ANNA20", creator="anna")
    >>> result.verdict
    <Verdict.VIOLATION: 'violation'>
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from skjult._version import __version__ as __version__
from skjult.checker import Checker, check_settings, post_keywords
from skjult.errors import RuleError
from skjult.items import Skip
from skjult.model import (
    CATEGORIES,
    Commercial,
    Disclosure,
    Finding,
    Post,
    PostResult,
    Severity,
    Signal,
    Strength,
    Verdict,
)
from skjult.readers.errors import RecordError
from skjult.readers.records import ALIASES, post_from_mapping
from skjult.report.summary import CreatorSummary, Report
from skjult.run.runner import Runner, posts_of

__all__ = [
    "CATEGORIES",
    "Checker",
    "Commercial",
    "CreatorSummary",
    "Disclosure",
    "Finding",
    "Post",
    "PostResult",
    "Report",
    "RuleError",
    "Severity",
    "Signal",
    "Skip",
    "Strength",
    "Verdict",
    "check",
    "check_posts",
]


@functools.lru_cache(maxsize=4)
def _checker(jurisdiction: str, lang: str) -> Checker:
    return Checker(jurisdiction, lang=lang)


def check(caption: str, *, creator: str | None = None, platform: str | None = None,
          jurisdiction: str = "dk", lang: str = "da", **meta: Any) -> PostResult:
    """Check one caption. Extra keywords are post metadata (``paid_partnership=True``,
    ``audience="minors"``, ``brand=...``) or post fields (``id``, ``url``, ``created_at``,
    ``source``). Any other keyword is a ``TypeError`` (a misspelt ``paid_partnership`` must not
    pass unnoticed); a value of the wrong kind, an unknown jurisdiction or language a
    ``ValueError``."""
    check_settings(jurisdiction, lang)
    if not isinstance(caption, Post):  # a Post takes no keywords (Checker.check says so)
        post_keywords(caption, creator, platform, meta, also=("jurisdiction", "lang"))
    return _checker(jurisdiction, lang).check(caption, creator=creator, platform=platform, **meta)


# every name a post's field is read from (``paid_partnership``, ``paidPartnership``, ...)
_KNOWN_KEYS = tuple(dict.fromkeys(name for names in ALIASES.values() for name in names))


def _no_misspelt_keys(item: Mapping[str, Any], position: int) -> None:
    """A dict may carry any other data (a database row), but a key that is nearly a field's
    name (``paid_partnersip``) is a typo that would silently drop the field: a ``ValueError``."""
    known = {key.casefold() for key in _KNOWN_KEYS}
    for key in item:
        if not isinstance(key, str) or key.casefold() in known:
            continue
        close = difflib.get_close_matches(key.casefold(), sorted(known), n=1, cutoff=0.9)
        if close:
            raise ValueError(f"item {position}: unknown key {key!r}; did you mean {close[0]!r}?")


def check_posts(posts: Iterable[Post | Mapping[str, Any]], *, jurisdiction: str = "dk",
                lang: str = "da", keep_results: bool = True) -> Report:
    """Check many posts (``Post`` objects or dicts with ``caption``/``text``, ``creator``, ...)
    and summarise them per creator. An unknown jurisdiction or language is a ``ValueError``, as
    is an item that is neither (naming the item)."""
    check_settings(jurisdiction, lang)
    if isinstance(posts, str | bytes | Post | Mapping):
        raise ValueError(f"posts must be a list (or other iterable) of posts, not one "
                         f"{type(posts).__name__}")
    checker = _checker(jurisdiction, lang)
    report = Report(keep_results=keep_results)

    def items() -> Iterable[Post]:
        for i, item in enumerate(posts):
            if isinstance(item, Post):
                yield item
            elif isinstance(item, Mapping):
                _no_misspelt_keys(item, i)
                try:
                    yield post_from_mapping(item, position=f"item {i}")
                except RecordError as exc:
                    raise ValueError(f"item {i}: {exc}") from None
            else:
                raise ValueError(f"item {i}: expected a Post or a dict with a caption, not "
                                 f"{type(item).__name__}")

    # The command line's path: a run of its own (suppressions counted for this call alone).
    runner = Runner(checker.ruleset, lang, judge=checker.runner.judge)
    for result in runner.results(posts_of(items(), report)):
        report.add(result)
    report.suppressions = runner.ledger.status()
    return report
