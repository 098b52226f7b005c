"""``Checker``: the library's object for checking posts with one rule set.

It builds the rule set once (``skjult.rules.ruleset``), keeps a ``Runner`` (matchers compiled,
suppressions counted) and checks single captions or streams of posts. The keyword checks here
turn a library caller's typo into an error instead of a silently ignored field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from skjult.config import Config
from skjult.errors import did_you_mean
from skjult.i18n import DEFAULT_LANG, check_lang
from skjult.model import AUDIENCES, Post, PostMeta, PostResult
from skjult.rules.pack import Pack, available_packs
from skjult.rules.rule import Rule
from skjult.rules.ruleset import RuleSet, UnknownJurisdiction, build_ruleset
from skjult.rules.vocabulary import TermSet
from skjult.run.runner import Runner
from skjult.suppress import Ledger

_POST_FIELDS = ("id", "url", "created_at", "source")
# The metadata a caller may pass (``audience`` and ``brand`` are read by the engine, the rest
# by packs' ``metadata:``); anything else would be ignored, so it is refused.
META_KEYS = ("paid_partnership", "audience", "brand")


class Checker:
    """Checks posts against one jurisdiction's pack (plus any extra pack folders).

    Build it once and reuse it: it holds the compiled matchers."""

    def __init__(self, jurisdiction: str | None = None, *, lang: str = DEFAULT_LANG,
                 extra_packs: Iterable[str | Path] = (), config: Config | None = None,
                 today: dt.date | None = None):
        check_settings(jurisdiction, lang, extra_packs=extra_packs, config=config, today=today)
        self.ruleset: RuleSet = build_ruleset(jurisdiction, tuple(extra_packs), config, today)
        self.runner = Runner(self.ruleset, lang)

    @property
    def lang(self) -> str:
        """The language of messages; chosen when the Checker is built (build another for the
        other language: the compiled matchers are shared by neither)."""
        return self.runner.lang

    # What the rule set holds, as callers and the command line read it.
    @property
    def config(self) -> Config:
        return self.ruleset.config

    @property
    def pack(self) -> Pack:
        return self.ruleset.pack

    @property
    def extra(self) -> tuple[Pack, ...]:
        return self.ruleset.extra

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.ruleset.rules

    @property
    def termsets(self) -> dict[str, TermSet]:
        return dict(self.ruleset.termsets)

    @property
    def known_rules(self) -> dict[str, str]:
        return dict(self.ruleset.known_rules)

    @property
    def ignored(self) -> int:
        return self.ruleset.ignored

    @property
    def ledger(self) -> Ledger:
        return self.runner.ledger

    def check(self, caption: str | Post, *, creator: str | None = None,
              platform: str | None = None, **meta: Any) -> PostResult:
        """Check one caption (or a ``Post``). Keywords: ``creator``, ``platform``, the post
        fields ``id``, ``url``, ``created_at``, ``source``, and the metadata the rules read:
        ``paid_partnership`` (True/False), ``audience`` ("minors"/"adults"), ``brand``. Any
        other keyword is a ``TypeError``; a value of the wrong kind a ``ValueError``."""
        if isinstance(caption, Post):
            if creator is not None or platform is not None or meta:
                raise TypeError("check() takes no keywords with a Post: set them on the Post")
            post = caption
        else:
            post = make_post(caption, creator, platform, post_keywords(caption, creator, platform,
                                                                        meta))
        return self.runner.check(post)

    def iter_results(self, posts: Iterable[Post], jobs: int = 1) -> Iterator[PostResult]:
        """Check posts as they come, in order; spaCy tokenizes them in batches.

        ``jobs`` > 1 checks batches in that many worker processes; the results are the same
        and come in the same order."""
        return self.runner.results(posts, jobs)


def check_settings(jurisdiction: Any, lang: Any, *, extra_packs: Any = (), config: Any = None,
                   today: Any = None) -> None:
    """Raises ``ValueError`` for a jurisdiction, report language or other setting that skjult
    cannot use (``UnknownJurisdiction``, also a ``RuleError``, for a pack that does not exist)."""
    check_lang(lang)
    if jurisdiction is not None:
        packs = available_packs()
        if not isinstance(jurisdiction, str):
            raise ValueError(f"jurisdiction must be the name of a rule pack ({', '.join(packs)}), "
                             f"not {type(jurisdiction).__name__}")
        if jurisdiction not in packs:
            raise UnknownJurisdiction("jurisdiction", None, f"no rule pack {jurisdiction!r}",
                                      did_you_mean(jurisdiction, packs)
                                      or f"available: {', '.join(packs)}")
    if isinstance(extra_packs, str | Path):
        raise ValueError(f"extra_packs is a list of pack folders, not one {type(extra_packs).__name__}: "
                         f"write extra_packs=[{str(extra_packs)!r}]")
    if config is not None and not isinstance(config, Config):
        raise ValueError(f"config must be a skjult.config.Config, not {type(config).__name__}")
    if today is not None and not isinstance(today, dt.date):
        raise ValueError(f"today must be a datetime.date, not {type(today).__name__}")
def post_keywords(caption: Any, creator: Any, platform: Any, meta: dict[str, Any],
                  also: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keywords of a ``check`` call checked: a ``TypeError`` for one nothing reads (with
    what is accepted; ``also`` are the caller's own keywords), a ``ValueError`` for a value of
    the wrong kind. Returns the metadata and post fields, without the ones left as None."""
    accepted = ("creator", "platform", *_POST_FIELDS, *META_KEYS, *also)
    for key in meta:
        if key not in accepted:
            if key in ("jurisdiction", "lang"):
                hint = f"{key} is chosen when the Checker is built: Checker(..., {key}=...)"
            else:
                hint = did_you_mean(key, accepted) or "it is not a field of a post"
            raise TypeError(f"check() got an unexpected keyword argument {key!r} ({hint}); it "
                            f"accepts {', '.join(accepted)}")
    if not isinstance(caption, str):
        raise ValueError(f"caption must be text (str) or a Post, not {type(caption).__name__}")
    for name, value in (("creator", creator), ("platform", platform),
                        *((k, meta.get(k)) for k in ("brand", "url", "source"))):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text (str), not {type(value).__name__}")
    paid = meta.get("paid_partnership")
    if paid is not None and not isinstance(paid, bool):
        raise ValueError(f"paid_partnership must be True or False, not {paid!r}")
    audience = meta.get("audience")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(map(repr, AUDIENCES))} (or None), "
                         f"not {audience!r}")
    post_id = meta.get("id")
    if post_id is not None and (isinstance(post_id, bool) or not isinstance(post_id, str | int)):
        raise ValueError(f"id must be text (str) or a number, not {type(post_id).__name__}")
    when = meta.get("created_at")
    if isinstance(when, dt.date):
        when = when.isoformat()
    elif when is not None and not isinstance(when, str):
        raise ValueError(f"created_at must be text (ISO 8601) or a datetime, not "
                         f"{type(when).__name__}")
    out = {k: v for k, v in meta.items() if v is not None and k not in also}
    if when is not None:
        out["created_at"] = when
    return out


def make_post(text: str, creator: str | None, platform: str | None, meta: dict[str, Any]) -> Post:
    """A ``Post`` from checked keyword arguments (``post_keywords``)."""
    fields = {k: meta[k] for k in _POST_FIELDS if k in meta}
    post = Post(text=text, creator=creator, platform=platform,
                meta=PostMeta.of({k: v for k, v in meta.items() if k not in _POST_FIELDS}))
    for key, value in fields.items():
        setattr(post, key, None if value is None else str(value))
    return post
