"""Folders and zip archives as one thing: a list of member paths and a way to open each as a
stream. Zip members are decompressed as they are read, never unpacked to disk or memory."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from skjult.i18n import Text
from skjult.readers.document import Document
from skjult.readers.errors import InputError
from skjult.readers.limits import MAX_EXPANDED_BYTES, MAX_EXPANSION_RATIO

# Exports nest a few folders deep; past this a tree is built to exhaust the walk (os.walk
# recurses once per level), and the folders below are reported unread instead.
MAX_FOLDER_DEPTH = 64

# Debris that archivers and file browsers leave behind; never an export's content.
_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\.git/)")


@dataclass(frozen=True)
class Member:
    path: str  # relative to the tree's root, with "/" separators
    size: int


class Tree:
    """A folder or a zip archive."""

    name: str  # as the user gave it
    # Parts of the tree that could not be listed (a folder without read permission), and things
    # in it that are not files (a FIFO, a device), as (what, why): said, never silently dropped.
    problems: list[tuple[str, str]]
    passed_over: list[tuple[str, str]]

    def members(self) -> list[Member]:
        raise NotImplementedError

    def open(self, member: Member) -> IO[bytes]:
        raise NotImplementedError

    def display(self, member: Member) -> str:
        raise NotImplementedError

    def display_folder(self, folder: str) -> str:
        """A folder inside the tree, as shown to the user."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the archive, if any."""

    def find(self, pattern: str, under: str = "") -> list[Member]:
        """Members below ``under`` whose path relative to it matches ``pattern`` in full, in
        natural order (posts_2 before posts_10)."""
        regex = re.compile(pattern, re.IGNORECASE)
        prefix = f"{under.rstrip('/')}/" if under else ""
        found = [m for m in self.members()
                 if m.path.startswith(prefix) and regex.fullmatch(m.path[len(prefix):])]
        return sorted(found, key=lambda m: natural_key(m.path))

    def document(self, member: Member) -> Document:
        return Document(self.display(member), member.path, lambda: self.open(member))


def natural_key(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


class FolderTree(Tree):
    def __init__(self, root: Path, exclude: frozenset[Path] = frozenset()):
        self.root = root
        self.name = str(root)
        self.problems = []
        self.passed_over = []
        self._exclude = exclude  # resolved paths never read (this run's own output)
        self._members: list[Member] | None = None

    def members(self) -> list[Member]:
        if self._members is None:
            found = []

            def unlisted(error: OSError) -> None:
                where = Path(error.filename or self.root)
                self.problems.append((str(where), Text("cannot be read: {error}",
                                                       error=error.strerror or str(error))))

            for folder, dirs, files in os.walk(self.root, onerror=unlisted):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in dirs:
                    if Path(folder, name).is_symlink():  # os.walk does not follow them: say so
                        self.passed_over.append((str(Path(folder, name)), Text(
                            "a symbolic link to a folder; not followed (name it on the command "
                            "line to read it)")))
                if len(Path(folder).relative_to(self.root).parts) >= MAX_FOLDER_DEPTH and dirs:
                    self.problems.append((str(Path(folder)), Text(
                        "folders nested more than {depth} deep below {root}; not read",
                        depth=MAX_FOLDER_DEPTH, root=str(self.root))))
                    dirs[:] = []
                for file in sorted(files):
                    full = Path(folder, file)
                    rel = full.relative_to(self.root).as_posix()
                    if _JUNK.search(rel) or file.startswith("."):
                        continue
                    member = self._member(full, rel)
                    if member is not None:
                        found.append(member)
            self._members = found
        return self._members

    def _member(self, full: Path, rel: str) -> Member | None:
        try:
            info = full.stat()
        except OSError as exc:  # a dangling symbolic link, a file removed meanwhile
            self.problems.append((str(full), Text("cannot be read: {error}",
                                                  error=exc.strerror or str(exc))))
            return None
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would wait for ever
            self.passed_over.append((str(full), Text("not a regular file (a pipe or a device); "
                                                     "not read")))
            return None
        if self._exclude and full.resolve() in self._exclude:
            return None
        return Member(rel, info.st_size)

    def open(self, member: Member) -> IO[bytes]:
        try:
            return open(self.root / member.path, "rb")
        except OSError as exc:
            raise InputError(self.display(member), Text("cannot be read: {error}",
                                                        error=exc.strerror or str(exc))) from None

    def display(self, member: Member) -> str:
        return str(self.root / member.path)

    def display_folder(self, folder: str) -> str:
        return str(self.root / folder) if folder else self.name


class ZipTree(Tree):
    def __init__(self, path: Path):
        self.name = str(path)
        self.problems = []
        self.passed_over = []
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise InputError(str(path), Text("not a readable zip archive (damaged or not a "
                                             "zip)")) from None
        except OSError as exc:
            raise InputError(str(path), Text("cannot be read: {error}",
                                             error=exc.strerror or str(exc))) from None
        infos = [i for i in self._zip.infolist() if not i.is_dir() and not _JUNK.search(i.filename)]
        try:
            _refuse_bomb(str(path), infos)
        except InputError:
            self._zip.close()
            raise
        self._members = [Member(i.filename, i.file_size) for i in infos]

    def members(self) -> list[Member]:
        return self._members

    def open(self, member: Member) -> IO[bytes]:
        info = self._zip.getinfo(member.path)
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_EXPANDED_BYTES and ratio > MAX_EXPANSION_RATIO:
            raise InputError(self.display(member), Text(
                "expands {ratio:n}-fold to {size:n} bytes: a decompression bomb, not an export; "
                "not read", ratio=round(ratio), size=info.file_size))
        try:
            return self._zip.open(member.path)
        except RuntimeError as exc:  # encrypted member
            raise InputError(self.display(member), Text("cannot be read: {error}",
                                                        error=str(exc))) from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(self.display(member), Text("damaged in the archive: {error}",
                                                        error=str(exc))) from None

    def display(self, member: Member) -> str:
        return f"{self.name}:{member.path}"

    def display_folder(self, folder: str) -> str:
        return f"{self.name}:{folder}" if folder else self.name

    def close(self) -> None:
        self._zip.close()


def _refuse_bomb(name: str, infos: list[zipfile.ZipInfo]) -> None:
    """An archive whose entries share their data (the same member listed many times, or members
    overlapping) is built to expand without end: a bomb, not an export. So is one whose members
    together expand past ``MAX_EXPANDED_BYTES`` at more than ``MAX_EXPANSION_RATIO`` times the
    archive's size."""
    offsets = [i.header_offset for i in infos]
    if len(set(offsets)) < len(offsets):
        raise InputError(name, Text("several entries share the same data: a zip bomb, not an "
                                    "export; not read"))
    expanded = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if expanded > MAX_EXPANDED_BYTES and expanded > MAX_EXPANSION_RATIO * packed:
        raise InputError(name, Text("expands {ratio:n}-fold to {size:n} bytes: a decompression "
                                    "bomb, not an export; not read", ratio=round(expanded / packed),
                                    size=expanded))


def open_tree(path: Path, exclude: frozenset[Path] = frozenset()) -> Tree:
    return FolderTree(path, exclude) if path.is_dir() else ZipTree(path)
