"""The floor skjult is measured against: spaCy's tokenizer alone over a JSON Lines export.

usage: python benchmarks/floor.py IN.jsonl OUT.jsonl

Reads IN as skjult reads a JSONL export, builds the tokenizer skjult builds
(``skjult.caption.new_pipeline("da").tokenizer``), tokenizes every caption (``pipe``, batches
of 512) and writes one small JSON line per post (its id and token count) to OUT. No rules, no
normalisation, no report: the least any checker that uses spaCy's tokenizer must do.
"""

from __future__ import annotations

import itertools
import json
import sys

BATCH = 512


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    from skjult.caption import new_pipeline

    tokenizer = new_pipeline("da").tokenizer
    with open(args[0], encoding="utf-8") as lines, open(args[1], "w", encoding="utf-8") as out:
        while batch := [json.loads(line) for line in itertools.islice(lines, BATCH)]:
            docs = tokenizer.pipe([post.get("caption") or "" for post in batch], batch_size=BATCH)
            for post, doc in zip(batch, docs, strict=True):
                out.write(json.dumps({"id": post.get("id"), "tokens": len(doc)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
