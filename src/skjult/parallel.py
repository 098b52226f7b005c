"""``--jobs N``: check batches of posts in N worker processes, results in input order.

The main process keeps reading the input and writing the report; workers only check. At most
``2 × N`` batches are in flight, so memory stays bounded however large the input. Each worker
holds its own ``Checker``: inherited from the parent where processes fork (Linux), built from
the parent's settings elsewhere.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skjult.engine import Checker
    from skjult.model import Post, PostResult

BATCH = 256
# The checker a worker uses. Set in the parent just before forking (children inherit it), or
# built by ``_start`` in a spawned worker; never used by the parent itself.
_worker: Checker | None = None


def _start(spec: tuple[Any, ...]) -> None:
    global _worker
    if _worker is None:
        from skjult.engine import Checker

        jurisdiction, lang, extra_packs, config, today = spec
        _worker = Checker(jurisdiction, lang=lang, extra_packs=extra_packs, config=config,
                          today=today)


def _check(batch: list[Post]) -> list[PostResult]:
    assert _worker is not None
    return list(_worker._checked(batch))


def check(checker: Checker, posts: Iterable[Post], jobs: int) -> Iterator[PostResult]:
    global _worker
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if context.get_start_method() == "fork":
        _worker = checker
    try:
        with context.Pool(jobs, initializer=_start, initargs=(checker.spec,)) as pool:
            pending: deque[Any] = deque()
            source = iter(posts)
            while batch := list(islice(source, BATCH)):
                pending.append(pool.apply_async(_check, (batch,)))
                while len(pending) >= 2 * jobs:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()
    finally:
        _worker = None
