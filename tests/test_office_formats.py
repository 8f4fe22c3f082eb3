"""XLSX and DOCX output: content read back with openpyxl and python-docx, safety, stable bytes."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lianneng.publish.blocks import (
    Body,
    Document,
    Fields,
    FlowChart,
    FlowStep,
    Heading,
    HeatMap,
    PageBreak,
    Paragraph,
    RiskMark,
    Table,
)
from lianneng.publish.formats.docx import join_lines, parse_body, render_docx
from lianneng.publish.formats.ooxml import normalise_zip, xml_text
from lianneng.publish.formats.xlsx import SheetNames, render_xlsx

UNIT = "某市质量技术监督局"
LONG_TITLE = "行政许可科实地核查降低标准接受企业宴请风险点及其防控措施的登记表格（四十字标题）"
BODY = """# 总则

第一条 为规范**自由裁量权**,防止同案不同罚,
制定本规则(防范 [[RP-FGK-001]])。<script>alert(1)</script>

## 措施

- 会计、出纳分设
- 每月**对账**
  - 办公室主任不定期盘点
1. 采购与验收分离
2. 竣工结算一律经审计

```
# 不是标题 **不是粗体**
```
"""


def sample() -> Document:
    """A small document with every kind of block and the awkward values a register can hold."""
    return Document(
        "sample",
        "廉政风险防控台帐",
        [
            Heading("办公室", 2),
            Paragraph("本表按部门列出风险点。"),
            Fields((("填报单位", f"{UNIT} 办公室"), ("周期", "2026"))),
            Table(
                ("序号", "风险点", "防控措施"),
                (
                    ("1", "=1+1", "会计、出纳分设\n每月对账"),
                    ("2", "@SUM(A1)", "响铃\x07字符"),
                    ("3", "-2+3", "#N/A"),
                    (
                        "007",
                        "+86 电话",
                    ),
                ),
                "办公室",
                (5, 24, 40),
            ),
            PageBreak(),
            Heading("稽查大队", 2),
            Table(("序号", "风险点"), (("1", "选择性立案、压案不查"),), LONG_TITLE),
            Table(("序号", "风险点"), (("1", "调查取证不全"),), LONG_TITLE),
            Table(("a", "b"), (("x", "y"),), "Q1/Q2: [draft]*?"),
            Body(BODY),
            FlowChart(
                "行政许可流程",
                (
                    FlowStep(
                        "S1",
                        "受理",
                        "窗口受理岗",
                        "1 个工作日",
                        (RiskMark("RP-XKK-001", "刁难申请人", "二级", 1),),
                    ),
                    FlowStep("S2", "审查", "审查岗", "", ()),
                ),
            ),
            Heading("发生机率 × 危害程度", 2),
            HeatMap(
                "发生机率 × 危害程度",
                "发生机率",
                "危害程度",
                ("高", "中", "低"),
                ("严重", "较重", "一般"),
                ((5, 2, 0), (3, 1, 0), (0, 0, 1)),
            ),
        ],
        formats=("xlsx", "docx"),
    )


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(sample(), unit=UNIT, lang="zh")))


@pytest.fixture(scope="module")
def word() -> WordDocument:
    return docx.Document(io.BytesIO(render_docx(sample(), unit=UNIT, lang="zh")))


def sheet(workbook: Workbook, name: str) -> Worksheet:
    found = workbook[name]
    assert isinstance(found, Worksheet)
    return found


# ── XLSX ─────────────────────────────────────────────────────────────────────────────────────


def test_xlsx_sheet_per_table_and_heat_map_with_valid_unique_names(workbook: Workbook) -> None:
    names = workbook.sheetnames
    assert len(names) == 5
    assert names[0] == "办公室"
    assert all(len(name) <= 31 for name in names)
    assert not any(char in name for name in names for char in "[]:*?/\\")
    assert len({name.casefold() for name in names}) == len(names)
    assert names[1] == LONG_TITLE[:31]
    assert names[2].endswith(" (2)") and len(names[2]) <= 31
    assert names[3] == "Q1／Q2： ［draft］＊？"
    assert names[4] == "发生机率 × 危害程度"


def test_xlsx_sheet_has_title_fields_header_and_rows(workbook: Workbook) -> None:
    ws = sheet(workbook, "办公室")
    assert ws["A1"].value == f"{UNIT}廉政风险防控台帐"
    assert ws["A1"].font.bold
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == f"填报单位：{UNIT} 办公室\u3000\u3000周期：2026"
    assert [c.value for c in ws[3]] == ["序号", "风险点", "防控措施"]
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("D9E1F2") for c in ws[3])
    assert all(c.border.top.style == "thin" for row in ws.iter_rows(min_row=3) for c in row)
    assert ws["C4"].value == "会计、出纳分设\n每月对账"
    assert ws["C4"].alignment.wrap_text and ws["C4"].alignment.vertical == "top"
    assert ws.freeze_panes == "A4"
    assert ws["A4"].value == 1 and ws["A7"].value == "007"  # 序号 as numbers, codes kept as typed
    assert ws["C7"].value is None and ws["C7"].border.top.style == "thin"  # short row padded


def test_xlsx_without_fields_starts_the_header_on_row_two(workbook: Workbook) -> None:
    ws = sheet(workbook, LONG_TITLE[:31])
    assert [c.value for c in ws[2]] == ["序号", "风险点"]
    assert ws.freeze_panes == "A3"


def test_xlsx_values_that_look_like_formulas_stay_text(workbook: Workbook) -> None:
    ws = sheet(workbook, "办公室")
    for ref, text in (("B4", "=1+1"), ("B5", "@SUM(A1)"), ("B6", "-2+3"), ("B7", "+86 电话")):
        assert ws[ref].value == text
        assert ws[ref].data_type == "s"
        assert ws[ref].quotePrefix
    assert ws["C6"].value == "#N/A" and ws["C6"].data_type == "s"  # not an error value
    data = render_xlsx(sample(), unit=UNIT, lang="zh")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist())


def test_xlsx_strips_characters_xml_forbids(workbook: Workbook) -> None:
    assert sheet(workbook, "办公室")["C5"].value == "响铃字符"


def test_xlsx_column_widths_and_print_setup(workbook: Workbook) -> None:
    ws = sheet(workbook, "办公室")
    assert [ws.column_dimensions[c].width for c in "ABC"] == [5, 24, 40]
    measured = sheet(workbook, LONG_TITLE[:31]).column_dimensions["B"].width
    assert measured == len("选择性立案、压案不查") * 2 + 2  # CJK characters count double
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    assert ws.auto_filter.ref == "A3:C7"


def test_xlsx_heat_map_darkens_with_the_count(workbook: Workbook) -> None:
    ws = sheet(workbook, "发生机率 × 危害程度")
    assert [c.value for c in ws[2]] == ["发生机率 \\ 危害程度", "严重", "较重", "一般"]
    assert [c.value for c in ws[3]] == ["高", 5, 2, 0]

    def darkness(ref: str) -> int:
        rgb = ws[ref].fill.fgColor.rgb[-6:]
        return 765 - sum(int(rgb[i : i + 2], 16) for i in (0, 2, 4))

    assert darkness("B3") > darkness("B4") > darkness("C3") > 0  # 5 > 3 > 2
    assert ws["D3"].fill.fill_type is None  # no risk points, no colour
    assert ws.freeze_panes == "B3"


def test_xlsx_of_a_document_without_tables_still_opens() -> None:
    data = render_xlsx(Document("empty", "制度目录", [Paragraph("无")]), unit=UNIT, lang="en")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None and ws["A1"].value == f"制度目录 — {UNIT}"


def test_sheet_names_are_unique_ignoring_case_and_width() -> None:
    names = SheetNames("文档")
    assert names.claim("Risks") == "Risks"
    assert names.claim("RISKS") == "RISKS (2)"
    assert names.claim("Ｒｉｓｋｓ") == "Ｒｉｓｋｓ (3)"
    assert names.claim("''") == "文档"
    assert names.claim("History") == "History_"
    assert names.claim("x" * 40 + "'") == "x" * 31


# ── DOCX ─────────────────────────────────────────────────────────────────────────────────────


def texts(word: WordDocument) -> list[tuple[str, str]]:
    return [(p.style.name if p.style else "", p.text) for p in word.paragraphs]


def test_docx_opens_with_the_centred_bold_title(word: WordDocument) -> None:
    title = word.paragraphs[0]
    assert title.text == f"{UNIT}廉政风险防控台帐"
    assert title.alignment == 1  # centre
    assert all(run.bold for run in title.runs)
    assert word.core_properties.title == "廉政风险防控台帐"


def test_docx_headings_paragraphs_and_body(word: WordDocument) -> None:
    found = texts(word)
    assert ("Heading 2", "办公室") in found
    assert ("Normal", "本表按部门列出风险点。") in found
    assert ("Heading 3", "总则") in found  # a body's "#" nests two levels down, as in the HTML
    assert ("Heading 4", "措施") in found
    assert ("List Bullet", "会计、出纳分设") in found
    assert ("List Bullet 2", "办公室主任不定期盘点") in found
    assert ("List", "1.\t采购与验收分离") in found
    assert ("Normal", "# 不是标题 **不是粗体**") in found  # fenced code is literal
    paragraph = next(p for p in word.paragraphs if p.text.startswith("第一条"))
    # the soft break between two CJK lines joins them without a space; markup stays literal text
    assert paragraph.text == (
        "第一条 为规范自由裁量权,防止同案不同罚,制定本规则(防范 RP-FGK-001)。"
        "<script>alert(1)</script>"
    )
    assert [r.text for r in paragraph.runs if r.bold] == ["自由裁量权"]
    assert word.element.body.xpath(".//w:t[contains(text(), '<script>')]")


def test_docx_body_links_left_unresolved_show_their_id() -> None:
    document = Document("d", "制度", [Body("见 [[RP-1]] 与 [[ RP-2|别名]]")])
    data = render_docx(document, unit="", lang="zh")
    assert ("Normal", "见 RP-1 与 RP-2") in texts(docx.Document(io.BytesIO(data)))


def test_docx_fields_and_tables(word: WordDocument) -> None:
    fields, first = word.tables[0], word.tables[1]
    assert [[c.text for c in row.cells] for row in fields.rows] == [
        ["填报单位", f"{UNIT} 办公室"],
        ["周期", "2026"],
    ]
    assert first.style is not None and first.style.name == "Table Grid"
    header = first.rows[0]
    assert [c.text for c in header.cells] == ["序号", "风险点", "防控措施"]
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert header._tr.xpath("./w:trPr/w:tblHeader")  # Word repeats it on each page
    assert [c.text for c in first.rows[1].cells] == ["1", "=1+1", "会计、出纳分设\n每月对账"]
    assert first.rows[2].cells[2].text == "响铃字符"
    assert [c.text for c in first.rows[4].cells] == ["007", "+86 电话", ""]
    body = word.element.body
    for table in word.tables:  # Word would merge tables that touch
        following = table._tbl.getnext()
        assert following is None or following.tag != qn("w:tbl")
    assert body.xpath("./w:tbl[1]/following-sibling::*[1]")[0].tag == qn("w:p")
    widths = [column.width for column in first.columns]
    assert widths[0] < widths[1] < widths[2]  # 5 : 24 : 40
    assert abs(widths[2] / widths[1] - 40 / 24) < 0.01


def test_docx_page_break_flow_chart_and_heat_map(word: WordDocument) -> None:
    assert word.element.body.xpath(".//w:br[@w:type='page']")
    found = texts(word)
    assert ("Normal", "行政许可流程") in found
    assert ("List", "1.\t受理（窗口受理岗，1 个工作日）") in found
    assert ("List Bullet 2", "二级：刁难申请人") in found
    assert ("List", "2.\t审查（审查岗）") in found
    heat = word.tables[-1]
    assert [c.text for c in heat.rows[0].cells] == ["发生机率 \\ 危害程度", "严重", "较重", "一般"]
    assert [c.text for c in heat.rows[1].cells] == ["高", "5", "2", "0"]
    assert heat.rows[1].cells[1]._tc.xpath("./w:tcPr/w:shd/@w:fill") == ["99000D"]  # the most
    assert heat.rows[2].cells[1]._tc.xpath("./w:tcPr/w:shd/@w:fill") != ["99000D"]
    assert not heat.rows[1].cells[3]._tc.xpath("./w:tcPr/w:shd")  # none found, no colour
    assert ("Normal", "发生机率 × 危害程度") not in found  # the heading above already names it


def test_docx_chinese_fonts_and_a4_pages(word: WordDocument) -> None:
    fonts = word.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override 宋体
    section = word.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert word.core_properties.author == "lianneng"
    assert word.core_properties.created.year == 2000


def test_docx_turns_landscape_for_wide_tables() -> None:
    wide = Document("w", "职权目录", [Table(tuple(f"列{n}" for n in range(12)), ())])
    section = docx.Document(io.BytesIO(render_docx(wide, unit=UNIT, lang="zh"))).sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_markdown_subset_parsing() -> None:
    parts = parse_body("段落一\n续行\n\n* 项目\n  续项\n\n3) 第三\n\n#不是标题\n\n```\n未闭合")
    assert [(p.kind, p.text, p.level, p.marker) for p in parts] == [
        ("paragraph", "段落一续行", 0, ""),
        ("bullet", "项目续项", 0, ""),
        ("ordered", "第三", 0, "3)"),
        ("paragraph", "#不是标题", 0, ""),
        ("code", "未闭合", 0, ""),
    ]
    assert join_lines(["one", "two"]) == "one two"
    assert join_lines(["line  ", "break\\", "again"]) == "line\nbreak\nagain"


# ── shared: text and zips ────────────────────────────────────────────────────────────────────


def test_xml_text_drops_forbidden_characters() -> None:
    assert xml_text("a\x00b\x0bc\x1fd\ufffee\r\nf\rg\th") == "abcde\nf\ng\th"


def test_normalise_zip_fixes_every_entry_and_is_idempotent() -> None:
    def build(when: tuple[int, int, int, int, int, int], mode: int) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name in ("[Content_Types].xml", "b.xml", "a.xml"):
                info = zipfile.ZipInfo(name, date_time=when)
                info.external_attr = mode << 16
                archive.writestr(info, f"<{name}/>")
        return buffer.getvalue()

    first = normalise_zip(build((2024, 5, 6, 7, 8, 10), 0o600))
    assert first == normalise_zip(build((1999, 1, 2, 3, 4, 6), 0o666))
    assert normalise_zip(first) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["[Content_Types].xml", "b.xml", "a.xml"]  # as written
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.create_system == 3
        assert info.external_attr >> 16 & 0o777 == 0o644
        assert info.compress_type == zipfile.ZIP_DEFLATED


# ── reproducible bytes ───────────────────────────────────────────────────────────────────────


def digests() -> dict[str, str]:
    document = sample()
    return {
        "xlsx": hashlib.sha256(render_xlsx(document, unit=UNIT, lang="zh")).hexdigest(),
        "docx": hashlib.sha256(render_docx(document, unit=UNIT, lang="zh")).hexdigest(),
    }


def test_rendering_twice_gives_the_same_bytes() -> None:
    document = sample()
    for render in (render_xlsx, render_docx):
        assert render(document, unit=UNIT, lang="zh") == render(document, unit=UNIT, lang="zh")


CHILD = """
import importlib.util, json, os, sys, time
os.umask(0o077)
time.time = lambda: 2_000_000_000.0  # 2033: the clock zipfile and the writers would read
spec = importlib.util.spec_from_file_location("office_formats_child", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(module.digests()))
"""


def test_another_process_clock_timezone_umask_and_hash_seed_give_the_same_bytes() -> None:
    import json

    env = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "4242"}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).resolve())],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(result.stdout) == digests()
