"""Judging posts in one process: the rule set's matchers compiled against a spaCy pipeline,
captions prepared and tokenized in batches, each post handed to ``skjult.engine.judge``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

from skjult.caption import Caption, anatomy, new_pipeline
from skjult.engine import Reading, judge
from skjult.i18n import DEFAULT_LANG, LANGS, check_lang
from skjult.model import Post, PostMeta, PostResult
from skjult.normalize import normalize
from skjult.rules.ruleset import RuleSet
from skjult.rules.vocabulary import Vocabulary

BATCH = 512
VOCAB_GROWTH = 10_000  # new token strings a pipeline may learn before it is replaced
# A batch also ends at this many characters: 512 captions of 99,999 characters of emoji or CJK,
# every token new, would hold gigabytes of docs and token strings before the vocabulary is
# bounded again. Ordinary batches (512 × a few hundred characters) never reach it.
BATCH_CHARS = 500_000

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class CheckFailed(Exception):
    """Checking one post failed: a bug, named by the post it happened on."""

    def __init__(self, post: Post, error: Exception):
        self.post = post
        self.error = error
        where = post.source or post.id or (post.text[:40] + "…" if len(post.text) > 40 else post.text)
        super().__init__(f"checking {where} failed: {error!r}")

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a --jobs worker, re-raised in the parent
        return (CheckFailed, (self.post, self.error))


class Judge:
    """Judges posts against one rule set, in this process. Build it once per process: it
    holds the compiled matchers and the spaCy pipeline (renewed now and then, see
    ``_bound_vocabulary``)."""

    def __init__(self, ruleset: RuleSet, lang: str = DEFAULT_LANG):
        check_lang(lang)
        self.ruleset = ruleset
        self.lang = lang
        self._language = ruleset.language if ruleset.language in LANGS else DEFAULT_LANG
        self.nlp = new_pipeline(self._language)
        self.vocabulary = Vocabulary(ruleset.termsets.values(), self.nlp)
        self._vocab_start = len(self.nlp.vocab)
        self.vocab_growth = VOCAB_GROWTH

    def results(self, posts: Iterable[Post]) -> Iterator[PostResult]:
        """Each post's result, in order; spaCy tokenizes the captions in batches."""
        batch: list[tuple[Post, Caption]] = []
        size = 0  # characters in the batch
        pack = self.ruleset.pack
        for post in posts:
            if _LONE_SURROGATE.search(post.text):  # a library caller's text no one can encode
                post = dataclasses.replace(post, text=_LONE_SURROGATE.sub("\ufffd", post.text))
            if not isinstance(post.meta, PostMeta):  # a dict set after the post was made
                post = dataclasses.replace(post)  # made again: the dict is read and checked
            try:
                caption = anatomy(normalize(post.text), pack.fold_for(post.platform))
            except Exception as exc:
                raise CheckFailed(post, exc) from exc
            batch.append((post, caption))
            size += len(caption.text)
            if len(batch) >= BATCH or size >= BATCH_CHARS:
                yield from self._judged(batch)
                batch, size = [], 0
                self._bound_vocabulary()
        if batch:
            yield from self._judged(batch)

    def _judged(self, batch: list[tuple[Post, Caption]]) -> Iterator[PostResult]:
        tokenizer: Any = self.nlp.tokenizer  # spaCy types it as a plain callable
        docs = tokenizer.pipe([caption.text for _, caption in batch], batch_size=BATCH)
        for post, caption in batch:
            try:  # the tokenizer works lazily: a failure here is on this post's caption
                doc = next(docs)
                timeouts: list[str] = []
                hits = self.vocabulary.find(doc, caption.text, timeouts)
                result = judge(post, Reading(caption, hits, timeouts), self.ruleset, self.lang)
            except Exception as exc:
                raise CheckFailed(post, exc) from exc
            yield result

    def _bound_vocabulary(self) -> None:
        """spaCy keeps every token string it has seen (discount codes, link ids, ...), so on a
        long run memory would grow with the posts. Past a limit, start a fresh pipeline; the
        tokens, and so the results, are the same."""
        if len(self.nlp.vocab) > self._vocab_start + self.vocab_growth:
            self.nlp = new_pipeline(self._language)
            self.vocabulary = Vocabulary(self.ruleset.termsets.values(), self.nlp)
            self._vocab_start = len(self.nlp.vocab)
