"""What the matchers found in one post, as the rule kinds see it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from skjult.caption import Caption
from skjult.i18n import quote
from skjult.model import Commercial, Post, Signal
from skjult.rules.vocabulary import Hit, TermSet


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a rule points (offsets into the normalized caption) and values for its message."""

    start: int
    end: int
    values: dict[str, str] = field(default_factory=dict)
    whole_post: bool = False  # about the post as a whole (its evidence is metadata): no words


@dataclass(slots=True)
class Evidence:
    post: Post
    caption: Caption
    hits: dict[str, list[Hit]]
    commercial: Commercial
    termsets: Mapping[str, TermSet]
    # the first cue in the text the commercial level rests on; None when it rests on metadata
    # alone (a platform flag, a campaign list, a draft's front matter): then the whole post
    anchor: tuple[int, int] | None
    reason: str  # what makes the post commercial, for {evidence}: "»koden ANNA20«", or the
    # metadata in its source's words ("udkastet angiver @x som annoncør"); see ``reason()``
    # who the post speaks to ("minors", "adults"): its own data, else the configuration's
    # [creators] table; None when neither says
    audience: str | None = None

    def has(self, termsets: Iterable[str]) -> bool:
        return any(t in self.hits for t in termsets)

    def hits_of(self, termsets: Iterable[str]) -> list[Hit]:
        out = [h for t in termsets for h in self.hits.get(t, ())]
        out.sort(key=lambda h: (h.start, h.end))
        return out

    def title(self, termset: str) -> str:
        return self.termsets[termset].title

    def at_anchor(self, values: dict[str, str]) -> Mark:
        """A mark on the first cue the commercial level rests on, or on the whole post."""
        if self.anchor is None:
            return Mark(0, 0, values, whole_post=True)
        return Mark(*self.anchor, values)


# How ``{evidence}`` names a cue that is not words of the caption, by its signal id: each source
# of metadata in its own words ("{text}" is the signal's text: the brand a draft names).
SOURCES: dict[str, dict[str, str]] = {
    "meta.paid_partnership": {"da": "platformens markering: betalt partnerskab",
                              "en": "platform flag: paid partnership"},
    "draft.paid_partnership": {"da": "udkastet angiver betalt partnerskab",
                               "en": "the draft states a paid partnership"},
    "draft.brand": {"da": "udkastet angiver {text} som annoncør",
                    "en": "the draft names {text} as advertiser"},
    "config.campaign": {"da": "opslaget står på kampagnelisten i konfigurationen",
                        "en": "the post is on the campaign list in the configuration"},
    "config.brands": {"da": "opslagets data angiver {text}, et brand fra konfigurationen",
                      "en": "the post's data names {text}, a brand from the configuration"},
}


def describe(signal: Signal, lang: str) -> str:
    """One cue for a message: the caption's words in quotes, or where the metadata says it."""
    if signal.start is not None:
        return quote(signal.text, lang)  # »sådan« in Danish, "like this" in English
    words = SOURCES.get(signal.termset)
    return words[lang].replace("{text}", signal.text) if words else signal.text


def reason(commercial: Commercial, lang: str) -> str:
    """The cues a post's level rests on, for ``{evidence}`` in messages: "»koden ANNA20«",
    "udkastet angiver @x som annoncør + »koden MAJA15«". A cue that two term sets found on the
    same words is named once."""
    shown: list[Signal] = []
    seen: set[tuple[object, ...]] = set()
    for s in commercial.basis or commercial.signals[:1]:
        key: tuple[object, ...] = (s.start, s.end) if s.start is not None else (s.termset,)
        if key not in seen:
            seen.add(key)
            shown.append(s)
    return " + ".join(describe(s, lang) for s in shown[:3])
