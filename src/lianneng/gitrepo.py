"""The one module that talks to git (through GitPython).

Registers live in git repositories in every state people leave them in: not a repository yet, no
commits, a shallow clone, a detached HEAD, a merge half done. Each gets a clear message here
instead of a traceback further in.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lianneng.errors import UsageError
from lianneng.lock import LOCK_FILE

if TYPE_CHECKING:
    from git import Commit, Repo


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    short: str
    author: str
    email: str
    when: datetime  # UTC
    subject: str


class RegisterRepo:
    """A register folder inside a git work tree."""

    def __init__(self, register_root: Path) -> None:
        try:
            import git
        except ImportError as exc:  # GitPython needs a git executable
            raise UsageError(f"无法使用 git / git is not available: {exc}") from None
        try:
            self.repo: Repo = git.Repo(register_root, search_parent_directories=True)
        except git.InvalidGitRepositoryError:
            raise UsageError(
                f"{register_root}: 不在 git 仓库中;请先 git init 并提交 / "
                "not inside a git repository; run git init and commit first"
            ) from None
        except git.NoSuchPathError:
            raise UsageError(f"{register_root}: 目录不存在 / no such folder") from None
        if self.repo.bare or self.repo.working_tree_dir is None:
            raise UsageError("git 仓库没有工作区 / the repository has no work tree")
        self.top = Path(self.repo.working_tree_dir).resolve()
        self.subdir = register_root.resolve().relative_to(self.top).as_posix()
        if self.subdir == ".":
            self.subdir = ""

    # ── state ──────────────────────────────────────────────────────────────────────────────

    def require_commits(self) -> None:
        if not self.repo.head.is_valid():
            raise UsageError("仓库还没有任何提交 / the repository has no commits yet")

    def merge_in_progress(self) -> bool:
        return (Path(self.repo.git_dir) / "MERGE_HEAD").exists()

    def shallow(self) -> bool:
        return (Path(self.repo.git_dir) / "shallow").exists()

    def detached(self) -> bool:
        return self.repo.head.is_detached

    def dirty(self) -> list[str]:
        """Changed or untracked files under the register, as paths relative to the register;
        not the lock file the tool's own writing commands leave (it holds a process id, nothing
        of the register, and a register made before `init` listed it in `.gitignore` shows it)."""
        paths: list[str | os.PathLike[str]] | None = [self.subdir] if self.subdir else None
        changed = {item.a_path for item in self.repo.index.diff(None, paths=paths)}
        changed |= {item.a_path for item in self.repo.index.diff("HEAD", paths=paths)}
        changed |= set(self.repo.untracked_files)
        prefix = f"{self.subdir}/" if self.subdir else ""
        under = (p.removeprefix(prefix) for p in changed if p and p.startswith(prefix))
        return sorted(p for p in under if p != LOCK_FILE)

    # ── revisions ──────────────────────────────────────────────────────────────────────────

    def changed_since(self, rev: str) -> set[str]:
        """Files under the register changed since `rev` (committed, staged, in the work tree, or
        new and untracked), as paths relative to the register."""
        import git

        self.commit(rev)  # a clear message for an unknown revision
        paths = ["--", self.subdir] if self.subdir else []
        try:
            changed = self.repo.git.diff("--name-only", "--no-renames", rev, *paths).splitlines()
        except git.GitCommandError as exc:
            raise UsageError(f"git diff {rev}: {exc.stderr.strip()}") from None
        changed += self.repo.untracked_files
        prefix = f"{self.subdir}/" if self.subdir else ""
        return {path[len(prefix) :] for path in changed if path.startswith(prefix)}

    def commit(self, rev: str = "HEAD") -> Commit:
        import git

        self.require_commits()
        try:
            commit = self.repo.commit(rev)
            commit.tree.hexsha  # noqa: B018 - a shallow clone's missing parent fails only on use
            return commit
        except (git.BadName, ValueError, git.GitCommandError):
            hint = (
                ";这是一个浅克隆,较早的提交不在本地 / this is a shallow clone"
                if self.shallow()
                else ""
            )
            raise UsageError(f"找不到修订 {rev!r} / unknown revision {rev!r}{hint}") from None

    def info(self, commit: Commit) -> CommitInfo:
        return CommitInfo(
            sha=commit.hexsha,
            tree=commit.tree.hexsha,
            short=commit.hexsha[:10],
            author=str(commit.author.name or ""),
            email=str(commit.author.email or ""),
            when=datetime.fromtimestamp(commit.committed_date, tz=UTC),
            subject=str(commit.message).strip().splitlines()[0] if commit.message else "",
        )

    def export(self, commit: Commit, dest: Path) -> Path:
        """Write the register's files as they are in `commit` under `dest`; returns its root.

        Links are not written: a register's files are text, and a link could lead outside.
        """
        tree = commit.tree
        if self.subdir:
            try:
                tree = tree / self.subdir
            except KeyError:
                raise UsageError(
                    f"修订 {commit.hexsha[:10]} 中没有 {self.subdir}/ / "
                    f"{self.subdir}/ does not exist at {commit.hexsha[:10]}"
                ) from None
        root = dest / "register"
        root.mkdir(parents=True, exist_ok=True)
        from git import Blob

        for blob in tree.traverse():
            if not isinstance(blob, Blob) or stat.S_ISLNK(blob.mode):
                continue
            rel = Path(blob.path).relative_to(self.subdir) if self.subdir else Path(blob.path)
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.data_stream.read())
        return root

    def commits_touching(self, rev: str = "HEAD", max_count: int = 100) -> Iterator[Commit]:
        """Commits that changed the register, newest first."""
        paths = [self.subdir] if self.subdir else []
        yield from self.repo.iter_commits(rev, paths=paths, max_count=max_count)

    # ── filing tags ────────────────────────────────────────────────────────────────────────

    def filing_tags(self) -> list[tuple[str, Commit]]:
        return [(tag.name, tag.commit) for tag in self.repo.tags if tag.name.startswith("filing/")]

    def previous_filing(self, commit: Commit) -> tuple[str, Commit] | None:
        """The newest filing tag on an ancestor of `commit` (not on `commit` itself)."""
        best: tuple[str, Commit] | None = None
        for name, tagged in self.filing_tags():
            if tagged.hexsha == commit.hexsha:
                continue
            if self.repo.is_ancestor(tagged, commit) and (
                best is None or tagged.committed_date > best[1].committed_date
            ):
                best = (name, tagged)
        return best

    def tag(self, name: str, commit: Commit) -> bool:
        """Create `name` on `commit`; False if it already names that commit."""
        existing = {t.name: t.commit.hexsha for t in self.repo.tags}
        if name in existing:
            if existing[name] != commit.hexsha:
                raise UsageError(
                    f"标签 {name} 已指向另一个提交 / tag {name} already names another "
                    "commit; choose another --period or delete the tag"
                )
            return False
        self.repo.create_tag(name, ref=commit)
        return True

    def config(self, key: str) -> str | None:
        try:
            value = self.repo.git.config("--get", key)
        except Exception:  # noqa: BLE001 - unset keys make git exit 1
            return None
        return str(value) or None


def git_environment() -> dict[str, str]:
    """An environment for git subprocesses that never prompts (CI has no terminal)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
