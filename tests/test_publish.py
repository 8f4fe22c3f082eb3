"""Publishing: nothing internal leaks, values cannot inject markup, templates are safe and
strict."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA

from lianneng.model.fields import Visibility, ref_kinds, table_of, visibility_of
from lianneng.model.kinds import KINDS
from lianneng.model.walk import walk
from lianneng.pipeline import check_register
from lianneng.publish.jinja import RegisterSandbox

CANARY = DATA / "canary"


def output_text(path: Path) -> str:
    """All text in an output file; for XLSX and DOCX, every XML part inside the zip."""
    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return path.read_text(encoding="utf-8")


def published(run, root: Path, out: Path, *args: str) -> dict[Path, str]:  # type: ignore[no-untyped-def]
    result = run("publish", str(root), "--out", str(out), *args)
    assert result.code == 0, result.out + result.err
    return {p: output_text(p) for p in out.rglob("*") if p.is_file() and p.name[0] != "."}


def _free_text_fields() -> set[tuple[str, str]]:
    """(kind, field) of every internal free-text field: the canary register must fill each one."""
    found = set()

    def visit(kind: str, model: Any) -> None:
        for name, info in model.model_fields.items():
            annotation = str(info.annotation)
            nested = [
                m
                for m in (getattr(info.annotation, "__args__", ()) or ())
                if isinstance(m, type) and hasattr(m, "model_fields")
            ]
            if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields"):
                nested.append(info.annotation)
            for inner in nested:
                visit(kind, inner)
            if (
                visibility_of(info) is Visibility.INTERNAL
                and not ref_kinds(info)
                and not table_of(info)
                and ("str" in annotation or "dict" in annotation)
            ):
                found.add((kind, name))

    for kind, model in KINDS.items():
        visit(kind, model)
    return found


def _canaries(min_visibility: Visibility) -> tuple[set[str], set[tuple[str, str]]]:
    """Canary values planted in fields at least as private as `min_visibility`, and where."""
    checked = check_register(CANARY)
    values: set[str] = set()
    covered: set[tuple[str, str]] = set()
    for record in checked.register.all_records():
        assert record.origin is not None
        for field in walk(record, record.origin.path):
            visibility = record.field_visibility(field.name, visibility_of(field.info))
            if visibility < min_visibility:
                continue
            items = field.value if isinstance(field.value, list) else [field.value]
            if isinstance(field.value, dict):
                items = [*field.value, *field.value.values()]
            for item in items:
                if isinstance(item, str) and "CANARY" in item:
                    values.add(item)
                    covered.add((record.KIND, field.name))
    return values, covered


def test_canary_register_fills_every_internal_free_text_field() -> None:
    _, covered = _canaries(Visibility.INTERNAL)
    missing = _free_text_fields() - covered
    # Fields of kinds whose records are internal as a whole still need a canary each.
    assert not missing, f"plant a canary in {sorted(missing)} in tests/data/canary"


def test_public_output_holds_no_canary_in_any_format(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(run, CANARY, tmp_path / "out", "--audience", "public")
    assert {p.suffix for p in outputs} == {".md", ".html", ".xlsx", ".docx"}
    leaks = {
        p.name: [w for w in text.split() if "CANARY" in w][:3]
        for p, text in outputs.items()
        if "CANARY" in text
    }
    assert not leaks


def test_filing_output_holds_no_internal_canary(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    internal, _ = _canaries(Visibility.INTERNAL)
    outputs = published(run, CANARY, tmp_path / "out", "--audience", "filing")
    for path, text in outputs.items():
        assert not [value for value in internal if value in text], path.name


def test_internal_output_lists_withheld_items_with_their_reason(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(run, CANARY, tmp_path / "out", "--audience", "internal", "-f", "md")
    catalogue = outputs[tmp_path / "out" / "internal" / "power-catalogue.md"]
    assert "CANARY-withheld-power-name" in catalogue and "CANARY-private-reason" in catalogue
    public = published(run, CANARY, tmp_path / "pub", "--audience", "public", "-f", "md")
    assert all("CANARY-withheld" not in text for text in public.values())


def test_personal_commitment_body_is_internal(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(run, CANARY, tmp_path / "out", "-f", "html")
    internal = outputs[tmp_path / "out" / "internal" / "commitments.html"]
    public = outputs[tmp_path / "out" / "public" / "commitments.html"]
    assert "CANARY-personal-commitment-body" in internal
    assert "承诺内容" in public  # the unit's own commitment body is public
    assert "CANARY-personal-commitment-body" not in public


@pytest.fixture
def hostile(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    risk = root / "risks" / "RP-001.yaml"
    text = risk.read_text(encoding="utf-8")
    text = text.replace(
        "title: 报销审核把关不严",
        "title: '<script>alert(1)</script> | 注入 | 行 [链接](javascript:x)'",
    )
    text = text.replace(
        "manifestation: 对不合规票据予以报销,或为他人虚报冒领提供便利",
        'manifestation: "第一行\\n| 假 | 行 |\\n# 假标题"',
    )
    risk.write_text(text, encoding="utf-8")
    body = root / "rules" / "R-001.md"
    body.write_text(
        body.read_text(encoding="utf-8") + "\n<img src=x onerror=alert(1)>\n"
        "[点我](javascript:alert(1))\n",
        encoding="utf-8",
    )
    return root


def test_html_escapes_values_and_bodies(hostile: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(run, hostile, tmp_path / "out", "-a", "public", "-f", "html")
    for text in outputs.values():
        assert "<script>" not in text and "<img" not in text
        assert 'href="javascript:' not in text
    assert "&lt;script&gt;" in outputs[tmp_path / "out" / "public" / "risk-list.html"]


def test_markdown_cells_cannot_add_rows_or_markup(hostile: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(run, hostile, tmp_path / "out", "-a", "public", "-f", "md")
    risk_list = outputs[tmp_path / "out" / "public" / "risk-list.md"]
    table = [line for line in risk_list.splitlines() if line.startswith("|")]
    assert len(table) == 3  # header, rule, one row: the value's pipes and newlines are escaped
    assert "\\<script\\>" in risk_list and "\\| 注入 \\|" in risk_list
    rules = outputs[tmp_path / "out" / "public" / "rules.md"]
    assert "<img" not in rules


def test_register_template_overrides_and_typos_are_located(
    hostile: Path, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    templates = hostile / "templates"
    templates.mkdir()
    (templates / "risk-list.md.j2").write_text("# 自定义\n{{ doc.title }}\n", encoding="utf-8")
    outputs = published(run, hostile, tmp_path / "out", "-a", "public", "-f", "md")
    assert (
        outputs[tmp_path / "out" / "public" / "risk-list.md"]
        == "# 自定义\n风险点及防控措施公示表\n"
    )
    (templates / "risk-list.md.j2").write_text("# 自定义\n\n{{ doc.titel }}\n", encoding="utf-8")
    result = run("publish", str(hostile), "--out", str(tmp_path / "out2"), "-f", "md")
    assert result.code == 1
    assert "templates/risk-list.md.j2" in result.out and "T001" in result.out
    assert not (tmp_path / "out2" / "public").exists()


def test_a_documents_blocks_are_rendered_once_for_every_audience_by_their_own_template(
    run, tmp_path: Path, copy_register
) -> None:  # type: ignore[no-untyped-def]
    """blocks.md.j2 renders a document's blocks, given nothing else: a register may override
    it, equal blocks are rendered once whichever audiences show them, and a blocks template
    that asks for the page (here the audience) is a located problem, not a page's text."""
    from conftest import EXAMPLES

    root = copy_register(EXAMPLES / "zhijianju")
    templates = root / "templates"
    templates.mkdir()
    (templates / "blocks.md.j2").write_text(
        "{% for block in blocks %}"
        "[{{ 'chart' if block is flowchart else 'table' if block is table else 'other' }}]\n"
        "{% endfor %}",
        encoding="utf-8",
    )
    rendered: list[int] = []
    original = RegisterSandbox.get_template

    def counted(self: RegisterSandbox, name: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "blocks.md.j2":
            rendered.append(1)
        return original(self, name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RegisterSandbox, "get_template", counted)
        outputs = published(run, root, tmp_path / "out", "-f", "md")
    audiences = ("public", "filing", "internal")
    flows = {a: outputs[tmp_path / "out" / a / "flows.md"] for a in audiences}
    assert "[chart]\n[table]\n" in flows["public"]
    assert flows["filing"].split("\n\n", 2)[2] == flows["internal"].split("\n\n", 2)[2]
    documents = sum(1 for path in outputs if path.name != "index.md")
    assert 0 < len(rendered) < documents  # each distinct list of blocks once
    (templates / "blocks.md.j2").write_text("{{ audience }}\n", encoding="utf-8")
    result = run("publish", str(root), "--out", str(tmp_path / "out2"), "-f", "md")
    assert result.code == 1
    assert "templates/blocks.md.j2" in result.out and "T001" in result.out


def test_hostile_template_reads_nothing(hostile: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    templates = hostile / "templates"
    templates.mkdir()
    (templates / "risk-list.md.j2").write_text(
        "{{ doc.__class__.__init__.__globals__['os'].popen('id').read() }}\n", encoding="utf-8"
    )
    result = run("publish", str(hostile), "--out", str(tmp_path / "out"), "-f", "md")
    assert result.code == 1 and "T001" in result.out and "uid=" not in result.out


def test_publishing_twice_is_identical_and_writes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = published(run, CANARY, tmp_path / "out")
    result = run("publish", str(CANARY), "--out", str(tmp_path / "out"))
    assert result.code == 0 and "写入 0 个文件" in result.out
    assert {p: output_text(p) for p in first} == first


def test_outputs_no_longer_produced_are_removed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    shutil.copytree(CANARY, root)
    out = tmp_path / "out"
    published(run, root, out, "-f", "md", "-f", "html")
    mine = out / "notes.txt"
    mine.write_text("keep me", encoding="utf-8")
    published(run, root, out, "-f", "md")  # a narrower run leaves the HTML alone
    assert (out / "public" / "rules.html").is_file()
    shutil.rmtree(root / "rules")
    (root / "risks" / "RP-001.yaml").write_text(
        (root / "risks" / "RP-001.yaml")
        .read_text(encoding="utf-8")
        .replace("    rules: [R-001]\n", ""),
        encoding="utf-8",
    )
    published(run, root, out, "-f", "md", "-f", "html")
    assert not (out / "public" / "rules.html").exists()
    assert not (out / "public" / "rules.md").exists()
    assert mine.read_text(encoding="utf-8") == "keep me"


def test_a_publish_that_fails_late_leaves_every_file_as_it_was(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Files are written as they are made, but put in place only once nothing has failed: a
    template that fails after others were rendered leaves the folder as the last run left it,
    with no temporary file in it."""
    root = tmp_path / "reg"
    shutil.copytree(CANARY, root)
    out = tmp_path / "out"
    published(run, root, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "risks" / "RP-001.yaml").write_text(
        (root / "risks" / "RP-001.yaml")
        .read_text(encoding="utf-8")
        .replace("title: 报销审核把关不严", "title: 报销审核把关不严(改)"),
        encoding="utf-8",
    )
    (root / "templates").mkdir()
    (root / "templates" / "warnings.md.j2").write_text("{{ 1 / 0 }}\n", encoding="utf-8")
    result = run("publish", str(root), "--out", str(out))
    assert result.code == 1 and "T001" in result.out
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_temporaries_a_killed_publish_left_are_removed_by_the_next(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    published(run, CANARY, out)
    left = out / "public" / ".risk-list.md.k2x_9a0b.tmp"  # as mkstemp names them
    left.write_text("半个文件", encoding="utf-8")
    mine = [out / "public" / ".notes.tmp", out / "public" / ".risk-list.md.mine.tmp"]
    for path in mine:
        path.write_text("keep me", encoding="utf-8")
    (out / "public" / "risk-list.md").write_text("changed", encoding="utf-8")
    published(run, CANARY, out)
    assert not left.exists()
    assert all(path.read_text(encoding="utf-8") == "keep me" for path in mine)


def test_files_handed_on_as_made_are_not_kept_as_well() -> None:
    """publish stages each file as it is made: the folder hands it on rather than keeping its
    bytes too (at 100k risk points the Markdown and HTML alone are 700 MB)."""
    from lianneng.publish.blocks import Document, Table
    from lianneng.publish.jinja import environment
    from lianneng.publish.site import Folder, Page, Published, Renderer, converter

    renderer = Renderer(environment(None), converter("simplified"), None, Published())
    unit = {"name": "某局", "code": "", "supervisor": "", "period": ""}
    page = Page(unit, "zh", "public", "公开")
    rules = Document("rules", "制度", [Table(("编号", "名称"), (("R-1", "制度"),))])
    handed: dict[str, object] = {}
    folder = Folder(renderer, page, ["md", "html"], made=handed.__setitem__)
    folder.add(rules)
    assert folder.finish() == {}
    kept = renderer.folder(page, [rules], ["md", "html"])  # no one to hand them to: kept
    assert set(handed) == set(kept) == {"rules.md", "rules.html", "index.md", "index.html"}
    assert handed == kept


def test_traditional_script_and_english_labels(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outputs = published(
        run, CANARY, tmp_path / "tw", "-a", "public", "-f", "md", "--script", "traditional"
    )
    text = outputs[tmp_path / "tw" / "public" / "risk-list.md"]
    assert "風險點及防控措施公示表" in text and "報銷審核把關不嚴" in text and "為他人" in text
    outputs = published(run, CANARY, tmp_path / "en", "-a", "public", "-f", "md", "--lang", "en")
    text = outputs[tmp_path / "en" / "public" / "risk-list.md"]
    assert "Risk points and controls" in text and "报销审核把关不严" in text


def test_publish_refuses_a_register_with_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    run("init", str(root))
    (root / "risks" / "RP-001.yaml").write_text("id: RP-001\ntitle: x\n", encoding="utf-8")
    result = run("publish", str(root), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "S002" in result.out and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "row",
    [
        (),
        ("",),
        ("a", "b"),
        ("<b>&\"'", "1.\n2. 两行", " 空格 "),
        ("含\0的", "x"),  # the separator the fast path joins on, inside a cell
        ("数字", 7, None),  # not all text
    ],
)
def test_a_table_row_in_html_is_each_cell_as_html_lines_makes_it(row: tuple[object, ...]) -> None:
    from lianneng.publish.markup import html_cells, html_lines

    assert html_cells(row) == "".join(f"<td>{html_lines(cell)}</td>" for cell in row)


def test_a_table_keeps_its_hash_but_never_pickles_it() -> None:
    """Renderings are looked up by table, so a table's hash is worked out once; a text's hash
    differs between processes, so a table sent to an office worker must not carry it."""
    import pickle
    import subprocess
    import sys

    from lianneng.publish.blocks import Table

    table = Table(("编号", "名称"), (("RP-001", "刁难申请人"),), "风险点")
    assert hash(table) == hash(Table(table.columns, table.rows, table.title))
    assert table.__dict__["_hash"] == hash(table)
    copy = pickle.loads(pickle.dumps(table))
    assert "_hash" not in copy.__dict__ and copy == table and hash(copy) == hash(table)
    code = (
        "import pickle, sys; t = pickle.loads(sys.stdin.buffer.read()); "
        "print(hash(t) == hash((t.columns, t.rows, t.title, t.widths)))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(table), capture_output=True, check=True
    )
    assert other.stdout.strip() == b"True"


def test_markdown_rows_with_plain_cells_shortcut_are_the_rows_of_md_cell() -> None:
    """The shortcut for plain cells of Markdown tables gives exactly what `md_cell` gives, for
    empty cells, space at either end of one, line breaks, characters to escape and values
    that are not text."""
    import random

    from lianneng.publish.markup import _md_row, md_cell

    pieces = ["a", "甲", " ", "\t", "\u3000", "\xa0", "|", "*", "&", "<", "\n", "\u2028", "\x85"]
    rows: list[tuple[object, ...]] = [("",), (" ",), ("a", ""), ("", "b"), ("a ", "b")]
    rows += [("a", " b"), ("a|b", "c"), (1, None)]
    draw = random.Random(9)
    for _ in range(5000):
        width = draw.randint(1, 4)
        cells = ("".join(draw.choices(pieces, k=draw.randint(0, 3))) for _ in range(width))
        rows.append(tuple(cells))
    for row in rows:
        assert _md_row(row) == "| " + " | ".join(md_cell(cell) for cell in row) + " |", row


def test_documents_that_read_nothing_internal_are_the_same_inside_the_unit_as_filed(
    tmp_path: Path,
) -> None:
    """A document marked `reads=FILING` is made once and shown to the unit as filed: made for
    each audience instead, on the canary register (every internal field filled) and every
    example, the two are equal; and a document left unmarked (the ledger) is made for each."""
    from conftest import EXAMPLES

    from lianneng.publish.audience import Audience
    from lianneng.publish.context import Context
    from lianneng.publish.documents import DOCUMENTS, build_documents

    both = {Audience.FILING, Audience.INTERNAL}
    shared = [
        name
        for name, spec in DOCUMENTS.items()
        if spec.reads <= Visibility.FILING and both <= spec.audiences
    ]
    assert {"risk-list", "statistics", "controls-filing"} <= set(shared)
    for root in [CANARY, *sorted(p for p in EXAMPLES.iterdir() if p.is_dir())]:
        checked = check_register(root)
        policy = checked.policy.policy if checked.policy else None
        filing, internal = (
            Context(checked.register, audience, "zh", checked.grades, policy)
            for audience in (Audience.FILING, Audience.INTERNAL)
        )
        for name in shared:
            filed = DOCUMENTS[name].build(filing)
            assert DOCUMENTS[name].build(internal) == filed, (root.name, name)
        made: dict[Any, Any] = {}
        filed_docs = build_documents(filing, list(DOCUMENTS), made)
        internal_docs = build_documents(internal, list(DOCUMENTS), made)
        for document in internal_docs:
            taken = any(document is d for d in filed_docs)
            assert taken == (document.name in shared), (root.name, document.name)


def test_views_copied_and_trimmed_are_the_views_made_field_by_field(copy_register) -> None:  # type: ignore[no-untyped-def]
    """Viewer copies a record and takes out what the audience may not read: for every record
    of the canary register and every example, read from its files and from the cache, in every
    audience, that is the view made field by field (here, plainly), down to the order of the
    fields."""
    from conftest import EXAMPLES
    from pydantic import BaseModel

    from lianneng.model.base import Record
    from lianneng.publish.audience import Audience, Viewer
    from lianneng.speed import Speed

    def by_field(value: Any, sees: Visibility) -> Any:
        if isinstance(value, BaseModel):
            shown = {}
            for name, info in type(value).model_fields.items():
                visibility = visibility_of(info)
                if isinstance(value, Record):
                    visibility = value.field_visibility(name, visibility)
                if visibility <= sees:
                    shown[name] = by_field(getattr(value, name), sees)
            return shown
        if isinstance(value, list):
            return [by_field(item, sees) for item in value]
        if isinstance(value, dict):
            return {str(key): by_field(item, sees) for key, item in value.items()}
        return value

    def ordered(value: Any) -> Any:  # dicts compared with their order
        if isinstance(value, dict):
            return [(key, ordered(item)) for key, item in value.items()]
        if isinstance(value, list):
            return [ordered(item) for item in value]
        return value

    cached = copy_register(EXAMPLES / "zhijianju")
    check_register(cached, speed=Speed(cache=True))
    registers = [
        check_register(root).register
        for root in [CANARY, *sorted(p for p in EXAMPLES.iterdir() if p.is_dir())]
    ]
    registers.append(check_register(cached, speed=Speed(cache=True)).register)
    trimmed = 0
    for register in registers:
        for audience in Audience:
            viewer = Viewer(audience)
            for record in register.all_records():
                shown = viewer.view(record)
                expected = by_field(record, audience.sees)
                assert ordered(shown) == ordered(expected), (record.id, audience)
                trimmed += len(record.__dict__) > len(shown)
    assert trimmed > 100  # fields were taken out, not only copied


def test_a_rendering_of_a_block_is_kept_until_its_last_expected_use() -> None:
    """Told which documents are to come, BlockRenderings renders each block once and lets go
    of the rendering when the last document showing it has asked; a block asked for again
    after that is rendered again, the same; not told, it keeps every rendering."""
    from lianneng.publish.blocks import Document, Heading, Table
    from lianneng.publish.markup import BlockRenderings

    shared = Table(("a",), (("1",),), "共用")
    alone = Table(("b",), (("2",),), "独有")
    equal = Table(("a",), (("1",),), "共用")  # equal to `shared`, not the same object
    documents = [
        Document("one", "一", [Heading("x"), shared, alone]),
        Document("two", "二", [Heading("x"), equal]),
    ]
    made: list[str] = []

    def render(table: Table) -> str:
        made.append(table.title)
        return f"<{table.title}>"

    renderings = BlockRenderings()
    renderings.expect(documents)
    once = renderings.once(render)
    assert [once(shared), once(alone)] == ["<共用>", "<独有>"]
    assert renderings._done  # the shared table's rendering waits for its second document
    assert once(equal) == "<共用>"
    assert made == ["共用", "独有"] and not renderings._done  # each made once, none kept
    assert once(shared) == "<共用>" and made[-1] == "共用"  # past its uses: made again

    whole = renderings.once_all(lambda blocks: str(len(blocks)))
    assert [whole(documents[0].blocks), whole(documents[1].blocks)] == ["3", "2"]
    assert not renderings._done

    kept = BlockRenderings()
    once = kept.once(render)
    made.clear()
    assert [once(shared), once(equal), once(shared)] == ["<共用>"] * 3
    assert made == ["共用"] and len(kept._done) == 1


def test_blocks_that_cannot_be_hashed_are_rendered_each_time() -> None:
    """A table whose rows are a list (a builder of a register's own may make one) cannot be
    looked up: it is rendered each time it is asked for, expected or not."""
    from lianneng.publish.blocks import Document, Table
    from lianneng.publish.markup import BlockRenderings, table_markdown

    table = Table(("a",), [("1",)], "列表")  # type: ignore[arg-type]
    renderings = BlockRenderings()
    renderings.expect([Document("one", "一", [table]), Document("two", "二", [table])])
    once, whole = renderings.once(table_markdown), renderings.once_all(len)
    assert once(table) == once(table) == table_markdown(table)
    assert whole([table]) == 1 and not renderings._done
