"""A deterministic synthetic export (JSON Lines) for benchmarks and the equality test.

usage: python benchmarks/corpus.py N OUT.jsonl [--seed 1] [--creators 500] [--length CHARS]

Unlike ../shared/bench/make_posts.py it also writes the text that exercises every slow path:
styled and spaced-out labels, zero-width and other invisible characters, look-alike letters,
combining marks, CRLF and tabs, emoji with variation selectors, product words, metadata
(paid partnership, audience) and several platforms. Captions average about 120 characters.

``--length CHARS`` makes every caption about CHARS characters long (never longer): a caption is
cut at a space, or padded with more of the same ingredients (sentences, the odd emoji or line
break, hashtags in its hashtag block). Without it the output is exactly what it always was (the
equality test's stored reference depends on that); with it, too, the same arguments give the
same bytes. OUT may be - for standard output; posts are written as they are made.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from typing import Any, TextIO

OPENINGS = [
    "", "", "", "", "", "Reklame for @{brand} | ", "REKLAME: ", "#reklame ", "Annonce · ",
    "𝐑𝐞𝐤𝐥𝐚𝐦𝐞 ", "ʀᴇᴋʟᴀᴍᴇ | ", "R E K L A M E ", "Rek\u200blame for @{brand} ", "#ad ", "Spons: ",
    "I samarbejde med @{brand} ", "Tak til @{brand} for ", "Sponsored | ", "Ad – ", "Рeклaмe ",
]
BODIES = [
    "Søndag i skoven med ungerne, vi fandt kantareller og drak kakao på termokanden",
    "Tre ting jeg bruger hver morgen til tør vinterhud lige nu",
    "Vi har kørt på den nye ladcykel i en måned, her er hvad jeg synes",
    "Weekend in Copenhagen with far too many cinnamon buns",
    "Aftensmad på 20 minutter: pasta med citron, ærter og masser af parmesan",
    "Endelig kan jeg annoncere, at vi flytter til Odense til sommer",
    "Morgenløb i regnen, 8 km og benene er helt færdige",
    "My honest review of the headphones after six weeks of daily use",
    "Nye støvler til efteråret, de holder fødderne tørre i sjappet",
    "Hyggeaften med brætspil og alt for meget slik",
    "Fredagsbar med vennerne, der var fri bar og shots til alle",
    "Prøv lykken i aften: 100 free spins hos @{casino} og vind nemt",
    "Min nye snus-favorit fra @{brand} er endelig på lager",
    "Vitaminerne fra @{brand} kurerer forkølelse på to dage",
    "Klar til blå mandag med cider fra @{brand}",
]
EXTRAS = [
    "", "", "", "Brug koden {code} for 20% rabat", "Link i bio", "Fik den tilsendt i går",
    "https://www.partner-ads.com/dk/klikbanner.php?partnerid={n}", "https://amzn.to/{code}",
    "Ikke reklame, selvkøbt", "Hvad synes I?", "Use code {code} for 15% off",
    "Læs altid indlægssedlen", "18+ | StopSpillet.dk | ROFUS.nu",
]
TAGS = ["#hygge", "#familie", "#ootd", "#reklame", "#ad", "#cph", "#aarhus", "#madlavning", "#løb",
        "#spons", "#gifted", "#annonce", "#weekend", "#kaffe", "#samarbejde", "#sp", "#skincare"]
NOISE = ["\u00a0", "\t", "\u200d", "☀️", "❄️", "🎁", "a\u030a", "\r\n"]
BRANDS = ["tehuset", "cykelsmeden", "nordlys_kaffe", "skobutikken", "glowlab", "hjemmebageren"]
CASINOS = ["lykkecasino", "nordodds", "spinhuset"]
PLATFORMS = ["instagram", "instagram", "instagram", "tiktok", "facebook", "youtube"]


EMOJI = ["☀️", "❄️", "🎁", "😍", "🙌🏼", "❤️"]
TAG_BLOCK = "\n.\n.\n"


def caption(r: random.Random, length: int | None = None) -> str:
    """One caption; with ``length``, about that many characters (see the module docstring).

    Without ``length`` the draws from ``r`` are exactly those this function always made.
    """
    fill = {"brand": r.choice(BRANDS), "casino": r.choice(CASINOS), "n": r.randint(1, 99999),
            "code": "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))}
    parts = [r.choice(OPENINGS), r.choice(BODIES), ". ", r.choice(EXTRAS)]
    if r.random() < 0.15:
        parts.insert(2, r.choice(NOISE))
    text = "".join(parts).format(**fill)
    if r.random() < 0.5:
        text += TAG_BLOCK + " ".join(r.sample(TAGS, r.randint(2, 10)))
    text = text.strip()
    return text if length is None else fit(text, length, r, fill)


def fit(text: str, length: int, r: random.Random, fill: dict[str, Any]) -> str:
    """``text`` cut at a space, or padded with more of its ingredients, to about ``length``."""
    if len(text) >= length:
        return cut(text, length)
    head, block, tags = text.partition(TAG_BLOCK)
    tag_list = tags.split()
    # A hashtag block grows to about a tenth of the caption (at most 30 tags, as on Instagram).
    while block and len(" ".join(tag_list)) < length // 10 and len(tag_list) < 30:
        tag_list.append(r.choice(TAGS))
    tail = block + " ".join(tag_list)
    pieces, size = [head], len(head) + len(tail)
    while size < length:
        roll = r.random()
        if roll < 0.1:
            piece = " " + r.choice(EMOJI)
        elif roll < 0.2:
            piece = "\n\n" + r.choice(BODIES).format(**fill) + "."
        elif roll < 0.3:
            piece = " " + r.choice(EXTRAS).format(**fill)
        else:
            piece = " " + r.choice(BODIES).format(**fill) + "."
        pieces.append(piece)
        size += len(piece)
    return (cut("".join(pieces), length - len(tail)) + tail).strip()


def cut(text: str, length: int) -> str:
    """``text`` up to ``length`` characters, at the last space (or whole text if it fits)."""
    if len(text) <= length:
        return text
    room = text[:length + 1]
    at = max(room.rfind(" "), room.rfind("\n"))
    return (room[:at] if at > 0 else text[:length]).rstrip()


def posts(n: int, seed: int = 1, creators: int = 500,
          length: int | None = None) -> Iterator[dict[str, Any]]:
    r = random.Random(seed)
    for i in range(n):
        post: dict[str, Any] = {
            "id": f"p{i}", "creator": f"creator{r.randrange(creators)}",
            "platform": r.choice(PLATFORMS),
            "created_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z",
            "caption": caption(r, length),
        }
        if r.random() < 0.05:
            post["paid_partnership"] = True
        if r.random() < 0.05:
            post["audience"] = "minors"
        yield post


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--creators", type=int, default=500)
    ap.add_argument("--length", type=int, default=None, metavar="CHARS",
                    help="make every caption about CHARS characters long")
    a = ap.parse_args(argv)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")  # noqa: SIM115
    with out:
        write(out, a.n, a.seed, a.creators, a.length)


def write(out: TextIO, n: int, seed: int = 1, creators: int = 500,
          length: int | None = None) -> None:
    """Write ``posts(...)`` to ``out`` as JSON Lines, one post at a time."""
    for post in posts(n, seed, creators, length):
        out.write(json.dumps(post, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
