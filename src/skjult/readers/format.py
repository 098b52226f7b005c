"""How a reader module declares the input format it reads: one ``InputFormat`` value that says
what the format is called, what the user hands in, which functions read it, and how it is
recognised (member paths in folders and archives, keys in JSON, columns in a CSV header, file
extensions). ``detect.py`` lists the declarations in its registry and does the recognising;
nothing else about a format is kept anywhere else, so a new source is one module plus one line
in that registry.

Every way of recognising a format carries a ``rank``: detection tries them in ascending rank,
ties in registry order. Ranks are per kind (markers, JSON signatures, CSV headers), because the
order in which formats are listed to the user is not the order in which the more specific
signatures must be tried before the looser ones. Ranks leave gaps so that a new format can be
slotted between two others without renumbering them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from skjult.readers.base import Item, ReadOptions
from skjult.readers.document import Document
from skjult.readers.tree import Member, Tree

FileReader = Callable[[Document, ReadOptions], Iterator[Item]]
TreeReader = Callable[[Tree, str, ReadOptions], Iterator[Item]]
# (tree, the member that matched, the export root it names, the lowercased paths of every member)
# -> whether the member really is part of such an export. The paths are handed over rather than
# listed again so that a tree with many candidate members is not listed once per candidate.
Confirm = Callable[[Tree, Member, str, AbstractSet[str]], bool]


def below_root(path: str) -> re.Pattern[str]:
    """A member path pattern for an export's file at ``path`` somewhere below the export's root
    (any folders the user or the zip put around it become the ``root`` group)."""
    return re.compile(rf"(?P<root>.*?){path}", re.IGNORECASE)


def keys(*names: str) -> tuple[re.Pattern[str], ...]:
    """Patterns for object keys as they appear in JSON text (``"name":``)."""
    return tuple(re.compile(rf'"{re.escape(n)}"\s*:') for n in names)


@dataclass(frozen=True)
class Marker:
    """A member path that shows an export of this format in a folder or archive."""

    rank: int
    # matched in full against a member's path; the group ``root`` is where the export begins
    pattern: re.Pattern[str]
    # True: everything below the root belongs to the export (no other reader looks at it);
    # False: only the matched file does (a TikTok user_data.json lying among other files)
    claims: bool = True
    confirm: Confirm | None = None  # a second look for markers that a path alone cannot prove

    def __post_init__(self) -> None:
        # the root is what the tree reader is handed; a pattern without it cannot name one
        if "root" not in self.pattern.groupindex:
            raise ValueError(f"marker pattern {self.pattern.pattern!r} has no (?P<root>...) group")


@dataclass(frozen=True)
class JsonSignature:
    """Searched in the first 64 KB of a JSON file: it is this format when every ``all_of``
    pattern is found and, if there are any, at least one ``any_of`` pattern."""

    rank: int
    all_of: tuple[re.Pattern[str], ...] = ()
    any_of: tuple[re.Pattern[str], ...] = ()

    def __post_init__(self) -> None:
        if not self.all_of and not self.any_of:  # would claim every JSON file
            raise ValueError("a JSON signature needs at least one pattern")

    def found_in(self, head: str) -> bool:
        return all(p.search(head) for p in self.all_of) and (
            not self.any_of or any(p.search(head) for p in self.any_of))


@dataclass(frozen=True)
class CsvHeader:
    """A CSV file is this format when ``test(header)`` is true. The test may raise ValueError
    to refuse the file with a reason (YouTube's channel.csv handed in instead of videos.csv)."""

    rank: int
    test: Callable[[list[str]], bool]


@dataclass(frozen=True)
class InputFormat:
    """One input format, as its reader module declares it."""

    name: str  # what --input-format and the reports call it
    title: str  # a Text: said in the run's language in errors, in English by `skjult formats`
    hand_in: str  # what the user gives skjult (a Text, like the title)
    read_file: FileReader | None = None  # None: read only as a folder or archive
    read_tree: TreeReader | None = None  # None: never found inside a folder or archive
    markers: tuple[Marker, ...] = ()
    # the HTML flavour of this export, which is not read: its root is named with advice to
    # download the JSON flavour instead (a pattern with a ``root`` group, like a marker's)
    html: re.Pattern[str] | None = None
    json_signatures: tuple[JsonSignature, ...] = ()
    csv_header: CsvHeader | None = None
    # files with these (lowercase) extensions are this format whatever they hold
    suffixes: tuple[str, ...] = ()
    # members of a folder or archive with those extensions that are not this format (README.txt)
    not_members: re.Pattern[str] | None = None
    # the bytes a file of this format starts with whatever its name (a binary format's magic)
    magic: bytes = b""

    def __post_init__(self) -> None:
        # a declaration that could never be used is a mistake to report at import, not a format
        # that silently reads nothing
        if self.read_file is None and self.read_tree is None:
            raise ValueError(f"input format {self.name!r} has neither read_file nor read_tree")
        if self.markers and self.read_tree is None:
            raise ValueError(f"input format {self.name!r} has markers but no read_tree")
        if self.html is not None and "root" not in self.html.groupindex:
            raise ValueError(f"input format {self.name!r}: html pattern has no root group")
