"""The register's files: which ones hold records, their text, and where a problem is in them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lianneng.messages import default_severity
from lianneng.problems import Message, Problem
from lianneng.source.markdown import split_front_matter
from lianneng.source.text import TextFault, read_text
from lianneng.source.yamldoc import KeyPath, Locator


@dataclass
class SourceFile:
    rel: str  # register-relative POSIX path (or a name such as builtin:three-levels)
    display: str  # the path as reported to the user
    location: str
    """Where the bytes are, as text: a Path per file would cost more to keep and to read back
    from a worker than the few files ever opened again need (see `path`)."""
    yaml: str | None = ""
    """The YAML part: the whole file, or a Markdown file's front matter. None once forgotten
    (`forget_text`): read again from `path` if a position in it is asked for."""
    yaml_first_line: int = 1
    body: str | None = None  # a Markdown record's body
    body_first_line: int = 0
    salvaged_ids: list[str] = field(default_factory=list)
    """Ids seen in a file that could not be parsed: they exist, only their file is broken."""
    _locator: Locator | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return Path(self.location)

    def forget_text(self) -> None:
        """Drop the text and its nodes once the file is read: a large register keeps only what
        it needs, and a position asked for later reads the file again."""
        self.yaml = None
        self._locator = None

    def yaml_text(self) -> str:
        if self.yaml is None:
            text = read_text(self.path)
            if isinstance(text, TextFault):
                text = ""
            elif self.rel.endswith(".md"):
                front = split_front_matter(text)
                text = front.yaml if front is not None else ""
            self.yaml = text
        return self.yaml

    def locate(self, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        if self._locator is None:
            self._locator = Locator(self.yaml_text())
        found = self._locator.find(path, key=key)
        if found is None:
            return self.yaml_first_line, 1
        return found[0] + self.yaml_first_line - 1, found[1]


@dataclass
class Sources:
    """Every file read in one run, by register-relative path; makes located problems."""

    root: Path
    display_root: str
    files: dict[str, SourceFile] = field(default_factory=dict)
    probed: list[Path] = field(default_factory=list)
    """Paths a check looked for without reading (evidence files): a cached answer depends on
    whether they exist."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """Digests of the bytes of each record file read, by path as the cache names it (kept only
    when a cached answer is to depend on them)."""
    _folder_outside: dict[str, bool] = field(default_factory=dict, repr=False)

    def add(self, rel: str, *, path: Path | None = None, display: str | None = None) -> SourceFile:
        location = str(path) if path else os.path.join(self.root, rel)
        source = SourceFile(rel, display or self.display(rel), location)
        self.files[rel] = source
        return source

    def leads_outside(self, rel: str) -> bool:
        """Whether the register file `rel` is, or lies under, a link that leads out of the
        register."""
        if self.folder_leads_outside(rel):
            return True
        path = os.path.join(self.root, rel)
        return os.path.islink(path) and not inside(self.root, Path(path))

    def folder_leads_outside(self, rel: str) -> bool:
        """Whether `rel` climbs out of the register, or lies in a folder that is (or is in) a
        link leading out of it. Worked out once per folder; whether the file itself is such a
        link is for whoever opens it to find (`read_bytes_and_stat` not following links)."""
        if rel.startswith("/") or (".." in rel and ".." in rel.split("/")):
            return not inside(self.root, self.root / rel)
        folder = rel.rpartition("/")[0]
        if not folder:
            return False
        found = self._folder_outside.get(folder)
        if found is None:
            found = self._folder_outside[folder] = self.leads_outside(folder)
        return found

    def display(self, rel: str) -> str:
        return rel if self.display_root in ("", ".") else f"{self.display_root}/{rel}"

    def problem(self, rel: str, path: KeyPath, message: Message, *, key: bool = False) -> Problem:
        source = self.files.get(rel) or self.add(rel)
        line, column = source.locate(path, key=key)
        return self.at(rel, line, column, message)

    def at(self, rel: str, line: int, column: int, message: Message) -> Problem:
        source = self.files.get(rel) or self.add(rel)
        return Problem(
            source.display, line, column, default_severity(message.code), message.code, message
        )

    def position(self, rel: str, path: KeyPath) -> str:
        """`path:line` of a place, for messages that point elsewhere ("first defined at …")."""
        line, _ = self.files[rel].locate(path)
        return f"{self.files[rel].display}:{line}"


def display_root(root: Path) -> str:
    try:
        relative = os.path.relpath(root, Path.cwd())
    except ValueError:  # another drive on Windows
        return root.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else root.as_posix()


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, links resolved, lies inside the register."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True
