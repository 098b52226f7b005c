"""A deterministic synthetic export (JSON Lines) for benchmarks and the equality test.

usage: python benchmarks/corpus.py N OUT.jsonl [--seed 1] [--creators 500]

Unlike ../shared/bench/make_posts.py it also writes the text that exercises every slow path:
styled and spaced-out labels, zero-width and other invisible characters, look-alike letters,
combining marks, CRLF and tabs, emoji with variation selectors, product words, metadata
(paid partnership, audience) and several platforms. Captions average about 150 characters.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from typing import Any

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


def caption(r: random.Random) -> str:
    fill = {"brand": r.choice(BRANDS), "casino": r.choice(CASINOS), "n": r.randint(1, 99999),
            "code": "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))}
    parts = [r.choice(OPENINGS), r.choice(BODIES), ". ", r.choice(EXTRAS)]
    if r.random() < 0.15:
        parts.insert(2, r.choice(NOISE))
    text = "".join(parts).format(**fill)
    if r.random() < 0.5:
        text += "\n.\n.\n" + " ".join(r.sample(TAGS, r.randint(2, 10)))
    return text.strip()


def posts(n: int, seed: int = 1, creators: int = 500) -> Iterator[dict[str, Any]]:
    r = random.Random(seed)
    for i in range(n):
        post: dict[str, Any] = {
            "id": f"p{i}", "creator": f"creator{r.randrange(creators)}",
            "platform": r.choice(PLATFORMS),
            "created_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z",
            "caption": caption(r),
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
    a = ap.parse_args(argv)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")  # noqa: SIM115
    with out:
        for post in posts(a.n, a.seed, a.creators):
            out.write(json.dumps(post, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
