"""Caption anatomy: hashtag-aware tokens, lines, the trailing hashtag block, the fold, language.

Offsets in this module are offsets into the *normalized* text; ``Normalized.to_original`` turns
them into offsets in the caption as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from skjult.normalize import Normalized, normalize

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc


TOKENIZER = "skjult.hashtag_tokenizer.v1"

# spaCy splits a caption at white space and then strips punctuation off each stretch of text one
# character at a time, copying and hashing the rest of the stretch at every step: quadratic in the
# length of a stretch (10,000 "#" took half a minute). A stretch longer than ``LONG_STRETCH``
# characters is therefore tokenized in pieces of at most that length; the pieces' tokens, joined,
# keep the caption's text and offsets exactly. No caption has a "word" that long (a platform's
# whole caption is 2,200-5,000 characters; a URL stays under 2,000), so real captions are
# tokenized as they always were; a hostile stretch may have a token cut where a piece ends.
LONG_STRETCH = 5_000
_LONG = re.compile(rf"(?<!\S)\S{{{LONG_STRETCH + 1}}}")
_STRETCH = re.compile(r"\S+")
# spaCy's URL pattern reads user info ("user:pass@") as ``\S+(?::\S*)?@``, which backtracks in
# quadratic time on a stretch without "@" ("a:a:a:…"); ``\S+@`` matches the same strings.
_USER_INFO = r"(?:\S+(?::\S*)?@)?"


def _linear_url_match(url_match: Any) -> Any:
    """spaCy's ``url_match`` with the same answers, in linear time (or as it is, if it is not the
    pattern we know)."""
    pattern = getattr(url_match, "__self__", None)
    if not isinstance(pattern, re.Pattern) or _USER_INFO not in pattern.pattern:
        return url_match
    return re.compile(pattern.pattern.replace(_USER_INFO, r"(?:\S+@)?"), pattern.flags).match


class _SuffixSearch:
    """spaCy's ``suffix_search`` (a ``...$`` pattern), looking only at the end of the text.

    Searching the whole text tries the pattern at every position, once per suffix stripped:
    quadratic on a long run of punctuation. Every suffix but a run of dots (``\\.\\.+$``) is at
    most a few characters long, so the answer lies in the last ``window`` characters; a match at
    the window's start may be part of a longer run of dots, and then the whole text is searched.
    """

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.window = _suffix_window(pattern)

    def __call__(self, text: str) -> re.Match[str] | None:
        start = len(text) - self.window if self.window else 0
        if start <= 0:
            return self.pattern.search(text)
        found = self.pattern.search(text, start)  # look-behinds still see the text before start
        if found is not None and found.start() == start:
            return self.pattern.search(text)
        return found


def _suffix_window(pattern: re.Pattern[str]) -> int | None:
    """One more than the longest suffix the pattern can match, runs of one repeated character
    (``cc+$``, whose every tail matches too) aside; ``None`` when some other suffix is unbounded
    (then the whole text is searched)."""
    try:  # the standard library's own parser of regular expressions (private, hence the care)
        import re._constants as sre  # type: ignore[import-not-found]
        import re._parser as sre_parse  # type: ignore[import-not-found]

        tree = sre_parse.parse(pattern.pattern, pattern.flags)
        whole = len(tree.data) == 1 and tree.data[0][0] is sre.BRANCH
        branches = tree.data[0][1][1] if whole else [tree.data]
        longest = 0
        for branch in branches:
            items = list(branch)
            if (len(items) == 3 and items[0][0] is sre.LITERAL
                    and items[2] == (sre.AT, sre.AT_END) and items[1][0] is sre.MAX_REPEAT
                    and items[1][1][0] == 1 and items[1][1][1] is sre.MAXREPEAT
                    and list(items[1][1][2]) == [items[0]]):
                continue  # cc+$
            width = sre_parse.SubPattern(tree.state, items).getwidth()[1]
            if width >= sre.MAXREPEAT:
                return None
            longest = max(longest, width)
    except Exception:  # a parser that changed shape: search the whole text
        return None
    return int(longest) + 2


@functools.cache
def _linear_tokenizer() -> type[Tokenizer]:
    """spaCy's ``Tokenizer`` class, with stretches longer than ``LONG_STRETCH`` cut into pieces
    (made when first needed, so that importing this module does not import spaCy)."""
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

    class LinearTokenizer(Tokenizer):  # type: ignore[misc]
        def __call__(self, text: str) -> Doc:
            if len(text) <= LONG_STRETCH or _LONG.search(text) is None:
                whole: Doc = super().__call__(text)
                return whole
            docs = [super(LinearTokenizer, self).__call__(piece) for piece in _pieces(text)]
            joined: Doc = Doc.from_docs(docs, ensure_whitespace=False)
            return joined

    LinearTokenizer.__module__ = __name__  # pickled by name: see __getattr__ below
    LinearTokenizer.__qualname__ = "LinearTokenizer"
    return LinearTokenizer


def __getattr__(name: str) -> Any:
    if name == "LinearTokenizer":
        return _linear_tokenizer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _hashtag_tokenizer() -> Any:
    """spaCy registry entry: the language's tokenizer with our affix rules, built once."""
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
        return _linear_tokenizer()(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(prefixes).search,
            suffix_search=_SuffixSearch(compile_suffix_regex(suffixes)),
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=defaults.token_match,
            url_match=_linear_url_match(defaults.url_match),
        )

    return build


def _pieces(text: str) -> Iterator[str]:
    """``text`` cut inside every stretch of non-space characters longer than ``LONG_STRETCH``,
    into pieces of at most that many characters (not inside a cluster of a character and the
    marks, joiners and selectors that belong to it, where one can be found nearby)."""
    done = 0
    for stretch in _STRETCH.finditer(text):
        start, end = stretch.span()
        while end - start > LONG_STRETCH:
            cut = start + LONG_STRETCH
            for back in range(cut, cut - 32, -1):
                if not _JOINS.match(text, back) and text[back - 1] != "\u200d":
                    cut = back
                    break
            yield text[done:cut]
            done = start = cut
    yield text[done:]


# Characters that belong to the character before them: combining marks, variation selectors,
# the zero-width joiner, emoji modifiers (skin tones) and tags.
_JOINS = regex.compile(r"[\p{M}\u200d\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]")


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
