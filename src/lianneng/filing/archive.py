"""Zip archives that build byte for byte the same, and reading one without trusting it.

Writing: entries sorted, one fixed timestamp (the commit's), fixed permissions and system, fixed
compression level (YAML-FACTS: that gives identical bytes across umask, timezone and hash seed).
Reading: any unsafe name, link, duplicate, case collision or oversized entry refuses the archive.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime

MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # a genuine document compresses far less than a zip bomb does


def write_zip(entries: dict[str, bytes], when: datetime) -> bytes:
    stamp = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(
                info, entries[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
            )
    return buffer.getvalue()


class UnsafeArchive(Exception):
    def __init__(self, entry: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"{entry}: {reason_en}")
        self.entry, self.reason_zh, self.reason_en = entry, reason_zh, reason_en


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes


def _unsafe_name(name: str) -> tuple[str, str] | None:
    if not name or "\x00" in name:
        return "空文件名或含 NUL", "empty name or NUL in name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "绝对路径", "absolute path"
    if "\\" in name:
        return "含反斜杠的路径", "backslash in path"
    parts = name.split("/")
    if any(part in ("..", ".") for part in parts) or any(part == "" for part in parts[:-1]):
        return "路径含 .. 或空段", "path with .. or an empty segment"
    return None


def read_zip(data: bytes) -> list[Entry]:
    """Every file entry, after the whole archive has been found safe to read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnsafeArchive(
            "(archive)", f"不是有效的 zip 文件:{exc}", f"not a valid zip: {exc}"
        ) from None
    with archive:
        infos = archive.infolist()
        seen: set[str] = set()
        folded: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            reason = _unsafe_name(name)
            if reason is not None:
                raise UnsafeArchive(name, *reason)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchive(name, "符号链接条目", "link entry")
            if name in seen:
                raise UnsafeArchive(name, "条目重复", "duplicate entry")
            if name.casefold() in folded:
                raise UnsafeArchive(name, "条目名仅大小写不同", "entries differ only in case")
            seen.add(name)
            folded.add(name.casefold())
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if (
                info.file_size > MAX_ENTRY_BYTES
                or total > MAX_TOTAL_BYTES
                or (info.file_size > 1_000_000 and ratio > MAX_RATIO)
            ):
                raise UnsafeArchive(
                    name, "条目过大或压缩比异常", "entry too large or over-compressed"
                )
        entries = []
        for info in infos:
            if info.is_dir():
                continue
            try:
                entries.append(Entry(info.filename, archive.read(info)))
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                zlib.error,
                NotImplementedError,
            ) as exc:
                raise UnsafeArchive(
                    info.filename, f"条目已损坏:{exc}", f"entry is corrupt: {exc}"
                ) from None
        return entries
