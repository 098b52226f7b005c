"""Caption anatomy: hashtag-aware tokens, lines, the trailing hashtag block, the fold, language.

Offsets in this module are offsets into the *normalized* text; ``Normalized.to_original`` turns
them into offsets in the caption as written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from skjult.normalize import Normalized, normalize

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


TOKENIZER = "skjult.hashtag_tokenizer.v1"


def _hashtag_tokenizer() -> Any:
    """spaCy registry entry: the language's tokenizer with our affix rules, built once."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    def build(nlp: Language) -> Tokenizer:
        defaults: Any = nlp.Defaults
        prefixes = [p for p in defaults.prefixes if p not in ("#", "@")] + [r"\|", "•", "·"]
        suffixes = [*defaults.suffixes, r"\|", "•", "·"]
        infixes = [
            *defaults.infixes,
            r"(?<=[^\s#@])(?=[#@][\w])",  # a tag glued to the word or tag before it
            r"[|•·]",
            r"(?<=\w)[,;:](?=[#@])",
        ]
        return Tokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(prefixes).search,
            suffix_search=compile_suffix_regex(suffixes).search,
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return build


@functools.lru_cache(maxsize=2)
def pipeline(lang: str = "da") -> Language:
    """The shared pipeline for ``lang`` (built once per process); see ``new_pipeline``."""
    return new_pipeline(lang)


def new_pipeline(lang: str = "da") -> Language:
    """A blank spaCy pipeline whose tokenizer keeps ``#hashtags`` and ``@handles`` whole.

    The default rules split ``#reklame`` into ``#`` + ``reklame`` but leave glued tags
    (``#reklame#ad``, ``#Reklame|#spons``) as one token; we reverse both. The tokenizer is
    given to ``spacy.blank`` through spaCy's registry, so the language's special cases are
    loaded once (replacing the affix rules afterwards reloads them each time).
    """
    import spacy
    from spacy.util import registry

    if TOKENIZER not in registry.tokenizers:
        registry.tokenizers.register(TOKENIZER, func=_hashtag_tokenizer)
    return spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})


@functools.lru_cache(maxsize=1)
def _stop_words() -> tuple[frozenset[str], frozenset[str]]:
    from spacy.lang.da.stop_words import STOP_WORDS as DA
    from spacy.lang.en.stop_words import STOP_WORDS as EN

    da, en = frozenset(DA), frozenset(EN)
    # Words in both lists say nothing about which language a caption is in.
    return da - en, en - da


_WORD = regex.compile(r"(?<![#@\w])\p{L}+")
_LINK = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_DANISH_LETTERS = regex.compile(r"[æøåÆØÅ]")


def language_of(text: str) -> str:
    """``da``, ``en``, ``other`` or ``unknown`` (too few words), from stop-word counts.

    Offline and cheap: spaCy ships stop-word lists for both languages; Danish letters count too.
    """
    da_only, en_only = _stop_words()
    if "://" in text or "www." in text:  # a link's pieces ("a", "as", "go") are no language
        text = _LINK.sub(" ", text)
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return "unknown"
    da = sum(w in da_only for w in words) + len(_DANISH_LETTERS.findall(text)) * 0.5
    en = sum(w in en_only for w in words)
    # Danish and English running text is a fifth or more stop words; other languages share a
    # few of them by accident ("mit", "bin").
    if max(da, en) < 0.2 * len(words):
        return "other" if len(words) >= 6 else "unknown"
    return "da" if da >= en else "en"


@dataclass(frozen=True, slots=True)
class Fold:
    """How much of a caption a platform shows before "more"."""

    chars: int
    lines: int | None = None


DEFAULT_FOLD = Fold(chars=125, lines=None)

_HASHTAG_BLOCK_TOKEN = regex.compile(r"(?<![\p{L}\p{N}_/])[#@][\p{L}\p{N}_.]+|[^\p{L}\p{N}#@]+")
_HAS_WORD = regex.compile(r"[\p{L}\p{N}]")


@dataclass(frozen=True, slots=True)
class Caption:
    """A caption prepared for matching."""

    normalized: Normalized
    lines: tuple[tuple[int, int], ...]
    hashtag_block: int | None  # where the trailing block of tags starts, if there is one
    fold: int  # offset where the visible part ends (characters or lines, whichever comes first)
    fold_chars: int  # offset where "more" cuts by characters alone
    language: str

    @property
    def text(self) -> str:
        return self.normalized.text

    def line_col(self, original_offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in the original caption."""
        original = self.normalized.original
        line = original.count("\n", 0, original_offset) + 1
        col = original_offset - (original.rfind("\n", 0, original_offset) + 1) + 1
        return line, col

    def in_hashtag_block(self, start: int) -> bool:
        return self.hashtag_block is not None and start >= self.hashtag_block

    def before_fold(self, start: int) -> bool:
        return start < self.fold

    def before_char_fold(self, start: int) -> bool:
        return start < self.fold_chars


def _lines(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return tuple(spans)


def _hashtag_block(text: str) -> int | None:
    """Start of the trailing run of hashtags (handles, dots, emoji and spaces may sit between).

    A caption that is nothing but tags has no *trailing* block: its tags are its start.
    """
    if "#" not in text:
        return None
    block_start: int | None = None
    covered_to = len(text)
    for m in reversed(list(_HASHTAG_BLOCK_TOKEN.finditer(text))):
        if m.end() != covered_to:
            break  # a word sits between this piece and the block
        if m.group().startswith("#"):
            block_start = m.start()
        covered_to = m.start()
    if block_start is None or not _HAS_WORD.search(text, 0, block_start):
        return None
    return block_start


def _fold(text: str, fold: Fold) -> int:
    end = min(len(text), fold.chars)
    if fold.lines is not None:
        pos = -1
        for _ in range(fold.lines):
            pos = text.find("\n", pos + 1)
            if pos < 0:
                break
        if pos >= 0:
            end = min(end, pos)
    return end


def anatomy(normalized: Normalized, fold: Fold = DEFAULT_FOLD) -> Caption:
    """Lines, trailing hashtag block, fold and language of a normalized caption."""
    text = normalized.text

    def at(offset: int) -> int:
        return normalized.to_normalized(offset) if offset < len(normalized.original) else len(text)

    # The fold is counted in characters the reader sees: the original's.
    fold_at = _fold(normalized.original, fold)
    return Caption(
        normalized=normalized,
        lines=_lines(text),
        hashtag_block=_hashtag_block(text),
        fold=at(fold_at),
        fold_chars=at(min(len(normalized.original), fold.chars)),
        language=language_of(text),
    )


def prepare(text: str, fold: Fold = DEFAULT_FOLD) -> Caption:
    """Normalize and dissect a caption in one call."""
    return anatomy(normalize(text), fold)


def tokenize(caption: Caption, lang: str = "da") -> Doc:
    return pipeline(lang).make_doc(caption.text)
