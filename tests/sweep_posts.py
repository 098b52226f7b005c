"""Posts for the Parquet, partition, Spark and Dask tests: our own captions, written for these
tests (a mix of labelled, unlabelled, weakly labelled and ordinary posts, Danish and English),
spread over a few creators, with the awkward records a real table has (no creator, a numeric
id, an empty caption, a missing caption)."""

from __future__ import annotations

from typing import Any

CAPTIONS = [
    "Reklame for @fjordkaffe | Ny bønne i kværnen, den smager af hasselnød ☕",
    "Tak til @fjordkaffe for posen med bønner, brug koden FJORD10 for 10 % rabat",
    "Søndagstur langs stranden med hunden, vinden var kold men solen skinnede",
    "Har fået tilsendt de nye løbesko fra @sprintsko, de er så lette #gifted",
    "Mit yndlingsbrød lige nu, opskrift i bio 🍞",
    "Annonce: @havrebaren har lavet en ny bar med kakao og jeg elsker den",
    "Vi er på ferie i Skagen, så kommer der ikke så mange opslag i denne uge",
    "Link i bio til rabatten hos @urtehaven, spar 20 % med koden URT20 #samarbejde",
    "Dagens outfit er fra genbrug, kjolen kostede 40 kr 💚",
    "Stort tillykke til min lillesøster med studenten i dag 🎓",
    "I samarbejde med @cykelfabrikken tester jeg deres nye ladcykel hele måneden #ad",
    "Morgenyoga i stuen før alle andre er vågne, det bedste tidspunkt på dagen",
    "Vind et gavekort på 500 kr til @blomsterhuset! Følg dem og tag en ven 🌷",
    "Thanks to @peakgear for sending me this jacket, use code PEAK15 at checkout",
    "Sponsored by @brewlab: their new oat latte is on every café menu this week",
    "A rainy Tuesday spent reading on the sofa, no plans at all",
    "Sammen med @tandlaegen.dk fortæller jeg om tandbørstning for børn #reklame",
    "Jeg har købt ny maling til køkkenet, farven hedder Havgus",
    "Gratis fragt i dag hos @strikkestuen med min kode STRIK, de har alt til vinteren",
    "Koncert i aftes, stemmen er væk men det var det værd 🎤",
]
CREATORS = ["anna.hygge", "bo_loeber", "cecilie.mad", "dan.outdoor", None]


def posts(count: int = 240) -> list[dict[str, Any]]:
    """``count`` records, cycling through the captions and creators (dates increase)."""
    out: list[dict[str, Any]] = []
    for n in range(count):
        record: dict[str, Any] = {
            "id": f"p{n:05d}",
            "text": CAPTIONS[n % len(CAPTIONS)] + ("" if n < len(CAPTIONS) else f" ({n})"),
            "user": CREATORS[n % len(CREATORS)],
            "created_at": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z",
            "platform": "instagram" if n % 3 else "tiktok",
        }
        out.append(record)
    for number, field, value in ((7, "text", ""),  # a photo without words: a no-text skip
                                 (11, "text", None),  # no caption at all: a no-text skip too
                                 (13, "id", "13")):  # an id that looks like a number
        if number < count:
            out[number][field] = value
    return out
