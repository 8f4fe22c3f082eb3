"""Reading a file's bytes into text, refusing what would be misread.

Registers are edited on Windows machines where GBK and UTF-16 are common defaults; a YAML parser
given such bytes reports a wrong character at a wrong place, so the encoding is checked first.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from lianneng.problems import Message, bilingual, msg

MAX_FILE_BYTES = 10 * 1024 * 1024

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


@dataclass(frozen=True)
class TextFault:
    """Why a file has no text, and where (1-based)."""

    line: int
    column: int
    message: Message


def read_text(path: Path, *, limit: int = MAX_FILE_BYTES) -> str | TextFault:
    data = read_bytes(path, limit=limit)
    return data if isinstance(data, TextFault) else decode(data)


def read_bytes(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> bytes | TextFault:
    read = read_bytes_and_stat(path, limit=limit)
    assert read is not None  # links are followed
    return read if isinstance(read, TextFault) else read[0]


def read_bytes_and_stat(
    path: str | Path, *, limit: int = MAX_FILE_BYTES, follow_link: bool = True
) -> tuple[bytes, os.stat_result] | TextFault | None:
    """The file's bytes and its stat, taken before they were read (so a later edit cannot
    hide behind it). Not following a link, None if the file is one (found by the opening
    itself, where the system can: a large register pays no extra call per file)."""
    if not follow_link and not _NOFOLLOW and os.path.islink(path):
        return None
    try:
        fd = os.open(path, _READ | (0 if follow_link else _NOFOLLOW))
    except OSError as exc:
        if not follow_link and exc.errno in (errno.ELOOP, errno.EMLINK):
            return None
        return _unreadable(exc)
    try:
        stat = os.fstat(fd)
        if stat.st_size > limit:
            return TextFault(1, 1, msg("F003", size=stat.st_size, limit=limit))
        data = os.read(fd, stat.st_size + 1)
        if len(data) != stat.st_size:  # changed while read, or a short read: on to its end
            data += b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
        return data, stat
    except OSError as exc:
        return _unreadable(exc)
    finally:
        os.close(fd)


_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _unreadable(exc: OSError) -> TextFault:
    return TextFault(1, 1, msg("F014", detail=exc.strerror or type(exc).__name__))


def decode(data: bytes) -> str | TextFault:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, name in _BOMS:
        if data.startswith(bom):
            return TextFault(1, 1, msg("F002", encoding=name))
    if b"\x00" in data:
        if _looks_utf16(data):
            return TextFault(1, 1, msg("F002", encoding="UTF-16"))
        line, column = _position(data, data.index(b"\x00"))
        return TextFault(
            line,
            column,
            msg(
                "F014",
                detail=bilingual(
                    "含有 NUL 字节,不是文本文件", "it holds NUL bytes: not a text file"
                ),
            ),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        if exc.end == len(data) and "unexpected end" in exc.reason:
            hint = msg("hint.truncated")  # cut inside a character: a broken copy, not GBK
        else:
            guess = _guess_encoding(data)
            hint = msg("hint.encoding", guess=guess) if guess else msg("hint.none")
        return TextFault(
            line, column, msg("F001", offset=exc.start, byte=f"{data[exc.start]:02X}", hint=hint)
        )


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 text without a BOM: mostly ASCII, so every other byte is NUL and the rest are not."""
    sample = data[:512]
    even, odd = sample[0::2], sample[1::2]
    for text, zeros in ((even, odd), (odd, even)):
        if zeros.count(0) * 10 >= len(zeros) * 8 and text.count(0) * 10 <= len(text):
            return True
    return False


def _guess_encoding(data: bytes) -> str | None:
    # GB2312 first: simplified text saved by Windows fits it, while Big5 text (trail bytes
    # 0x40–0x7E) rarely does; GB18030 decodes nearly anything, so it is only the last resort.
    for codec, name in (("gb2312", "GBK/GB18030"), ("big5", "Big5"), ("gb18030", "GBK/GB18030")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return name
    return None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column
