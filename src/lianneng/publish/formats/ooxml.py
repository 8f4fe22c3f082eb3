"""What the XLSX and DOCX writers share: text XML can carry, widths, colours, reproducible zips."""

from __future__ import annotations

import datetime
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Sequence

FIXED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)
"""Created/modified/printed time of every file: the bytes depend on the register, not the clock."""

AUTHOR = "lianneng"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
ZIP_LEVEL = 9
_UNIX = 3  # create_system: the mode bits in external_attr are read as Unix permissions
_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_FOLDER_ATTR = (stat.S_IFDIR | 0o755) << 16 | 0x10  # 0x10: the MS-DOS directory bit

# XML 1.0 forbids C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF; openpyxl
# raises on them and lxml refuses them, so one stray character in the register would stop a build.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` as XML 1.0 can carry it: forbidden characters dropped, line ends as LF."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


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


def text_width(line: str) -> int:
    if line.isascii():  # no ASCII character is wide
        return len(line)
    return sum(map(_WIDTHS.__getitem__, line))


def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` needs in a column `width` characters wide (wrapping anywhere, as CJK does)."""
    width = max(width, 1.0)
    return sum(max(1, -(-text_width(line) // int(width))) for line in text.split("\n"))


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
            info = _fixed_info(entry.filename)
            target.writestr(
                info,
                source.read(entry),
                compress_type=info.compress_type,
                compresslevel=ZIP_LEVEL if entry.filename[-1:] != "/" else None,
            )
    return out.getvalue()


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
