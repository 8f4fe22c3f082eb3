"""What the XLSX and DOCX writers share: text XML can carry, widths, colours, reproducible zips."""

from __future__ import annotations

import datetime
import io
import re
import stat
import unicodedata
import zipfile
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from typing import IO

FIXED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)
"""Created/modified/printed time of every file: the bytes depend on the register, not the clock."""

AUTHOR = "lianneng"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
# Deflate's fastest level. On a 16 MB sheet (a 10,000-row ledger) level 6, zlib's default, took
# 4.6× as long for a file 27% smaller (1.9 against 2.6 MB); deflating was most of rendering a
# large register's office files, and a few hundred kilobytes more on a large file matter less.
ZIP_LEVEL = 1
_UNIX = 3  # create_system: the mode bits in external_attr are read as Unix permissions
_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_FOLDER_ATTR = (stat.S_IFDIR | 0o755) << 16 | 0x10  # 0x10: the MS-DOS directory bit

# XML 1.0 forbids C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF; openpyxl
# raises on them and lxml refuses them, so one stray character in the register would stop a build.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` as XML 1.0 can carry it: forbidden characters dropped, line ends as LF."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def lxml_text(text: str) -> str:
    """Text as lxml writes it in an element, for XML written as text beside lxml's: &, < and >
    escaped (and a carriage return, which xml_text leaves none of). Three replaces, not a
    translate: a translate looks up every character (5 µs for a line of Chinese, against 0.2)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def title_line(title: str, unit: str, lang: str) -> str:
    """The heading of a published file: 某某局职权目录 in Chinese, "Title — Unit" in English."""
    if not unit:
        return title
    return f"{title} — {unit}" if lang == "en" else f"{unit}{title}"


def char_width(char: str) -> int:
    """Columns a character takes in a fixed grid: 2 for CJK and other wide characters."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class _Widths(dict[str, int]):
    """char_width of each character met so far: widths are measured for every cell of every
    table, and a dictionary look-up is a tenth of the cost of asking unicodedata each time (it
    holds no more than the distinct characters a register uses)."""

    def __missing__(self, char: str) -> int:
        self[char] = width = char_width(char)
        return width


_WIDTHS = _Widths()


# Runs of characters wide in every Unicode version: CJK punctuation, kana, ideographs, Hangul,
# full-width forms. A line of Chinese is mostly these, measured by the run, not by the character.
_SURELY_WIDE = re.compile(
    "[\u3000-\u303e\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60\uffe0-\uffe6]+"
)


def text_width(line: str) -> int:
    if line.isascii():  # no ASCII character is wide
        return len(line)
    rest = _SURELY_WIDE.sub("", line)
    wide = len(line) - len(rest)
    if rest.isascii():
        return 2 * wide + len(rest)
    return 2 * wide + sum(map(_WIDTHS.__getitem__, rest))


def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` needs in a column `width` characters wide (wrapping anywhere, as CJK does)."""
    columns = int(max(width, 1.0))
    if "\n" not in text:  # most cells: one line, measured without splitting
        return max(1, -(-text_width(text) // columns))
    return sum(max(1, -(-text_width(line) // columns)) for line in text.split("\n"))


def padded(values: Sequence[str], count: int) -> list[str]:
    """A row of exactly `count` cells: blocks do not promise rows as long as the header."""
    return [*values, *([""] * (count - len(values)))]


def column_count(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Columns a table needs so that no cell of a long row is dropped."""
    return max([len(columns), *(len(row) for row in rows), 1])


def column_widths(
    given: Sequence[int],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    count: int,
    bounds: tuple[int, int] = (4, 60),
) -> list[float]:
    """Relative column widths in characters: the table's own, else measured from its text."""
    if len(given) >= count and all(width > 0 for width in given[:count]):
        return [float(width) for width in given[:count]]
    low, high = bounds
    widths = []
    for column in range(count):
        texts = [header[column], *(row[column] for row in rows)]
        longest = max(text_width(line) for text in texts for line in text.split("\n"))
        widths.append(float(min(max(longest + 2, low), high)))
    return widths


def heat_fill(count: int, maximum: int) -> tuple[str, bool] | None:
    """Fill (RRGGBB) for a heat-map cell, darker with the count, and whether text must be white."""
    if count <= 0 or maximum <= 0:
        return None
    share = count / maximum
    light, dark = (0xFD, 0xE0, 0xDD), (0x99, 0x00, 0x0D)
    rgb = (round(lo + (hi - lo) * share) for lo, hi in zip(light, dark, strict=True))
    return "".join(f"{part:02X}" for part in rgb), share > 0.55


def normalise_zip(data: bytes) -> bytes:
    """The zip re-packed so equal content gives equal bytes, whatever the clock, umask or TZ.

    Entries keep the order they were written in (Office expects [Content_Types].xml first); every
    entry gets the same date, creator system, permissions and compression.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            _write_entry(target, entry.filename, source.read(entry))
    return out.getvalue()


class ZipStream:
    """A zip as normalise_zip makes it, written entry by entry, with no zip to re-pack after.

    An entry made in parts (stream) is deflated on a helper thread while its next part is made:
    deflating is most of a large file's time, and zlib lets go of the GIL while it works. Takes
    what openpyxl's ExcelWriter gives a zipfile.ZipFile: writestr, write and namelist. Write
    within a `with` block, then take getvalue().
    """

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w")

    def writestr(self, name: str, data: bytes | str) -> None:
        _write_entry(self._zip, name, data)

    def write(self, filename: str, arcname: str) -> None:
        with open(filename, "rb") as file:
            self.writestr(arcname, file.read())

    def namelist(self) -> list[str]:
        return self._zip.namelist()

    def stream(self, name: str, parts: Iterable[bytes], ahead: int = 2) -> None:
        """An entry whose data comes in parts, at most `ahead` of them made and waiting to be
        deflated. Deflate's output does not depend on how its input is cut, so the entry is the
        one writestr would write; an entry of one part is written by it, with no thread."""
        pieces = iter(parts)
        first, second = next(pieces, b""), next(pieces, None)
        if second is None:
            self.writestr(name, first)
            return
        with _open_entry(self._zip, name) as entry, ThreadPoolExecutor(1, "deflate") as deflate:
            waiting: deque[Future[int]] = deque()
            for part in chain((first, second), pieces):
                waiting.append(deflate.submit(entry.write, part))  # one thread: in order
                if len(waiting) > ahead:
                    waiting.popleft().result()
            for written in waiting:
                written.result()

    def __enter__(self) -> ZipStream:
        return self

    def __exit__(self, *_: object) -> None:
        self._zip.close()  # the central directory, at the end

    def getvalue(self) -> bytes:
        """The zip's bytes, once the with block is over."""
        if self._zip.fp is not None:
            raise ValueError("the zip is complete only after its with block")
        return self._buffer.getvalue()


def _write_entry(target: zipfile.ZipFile, name: str, data: bytes | str) -> None:
    info = _fixed_info(name)
    target.writestr(
        info,
        data,
        compress_type=info.compress_type,
        compresslevel=ZIP_LEVEL if name[-1:] != "/" else None,
    )


def _open_entry(target: zipfile.ZipFile, name: str) -> IO[bytes]:
    """An entry to write in parts, ending as _write_entry's would: writestr itself opens the
    entry this way and writes its data at once. (It sets the level on the info's
    _compresslevel too; Python 3.13 names it compress_level and keeps the old name.)"""
    info = _fixed_info(name)
    info._compresslevel = ZIP_LEVEL  # type: ignore[attr-defined]
    return target.open(info, "w")


def _fixed_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.create_system = _UNIX
    if name.endswith("/"):
        info.external_attr = _FOLDER_ATTR
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = _FILE_ATTR
        info.compress_type = zipfile.ZIP_DEFLATED
    return info
