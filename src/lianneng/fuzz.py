"""Mutation fuzzing of everything a register's authors write: `python -m lianneng.fuzz EXAMPLE…`.

Each case works on a copy of an example register and breaks one thing in it:

- register: a file broken the ways people and tools break files, then checked (`validate`);
- policy: the register's grading policy broken the same ways, or by editing its YAML tree
  (keys deleted or renamed, values retyped or spliced from elsewhere), then used everywhere a policy
  is used: checking and grading, `grade` and `grade --check`, `policy test`, the documents that show
  grades (a built-in policy is first copied into the register's `policy/` so that it can be broken);
- template: one of the register's own Jinja templates broken, or replaced by a hostile one (syntax
  errors, undefined names, Python internals, files and the environment, recursion, big loops), then
  published.

The property: every case ends within its time bound with located problems or a LiannengError
(exit 0, 1 or 2), never another exception, a hang or a Python warning at the terminal; a template
never shows a secret from the environment or from a file outside the register. A failing case is
saved as a register with the commands that show the failure, to become a case in
`tests/data/invalid/` (see `command` there). Findings already reported and not yet fixed are listed
in KNOWN: they are counted and shown apart, and do not fail the run.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import functools
import importlib
import io
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

from lianneng import timebound
from lianneng.errors import LiannengError
from lianneng.pipeline import check_register

Mutation = Callable[[random.Random, bytes], bytes]
yaml: Any = importlib.import_module("yaml")  # PyYAML (libyaml): fast, and has no type stubs here

KINDS = ("register", "policy", "template")
WEIGHTS = {"register": 6, "policy": 2, "template": 2}
TIMEOUT = 20.0
"""Seconds a case may take before it counts as a hang."""
SECRET = "lianneng-fuzz-secret-5f0c9e"
"""Put in the environment and in a file beside the register; no template may publish it."""
SAVED_PER_SIGNATURE = 3
TODAY, LATE = date(2026, 6, 1), date(2028, 1, 1)
"""The day dated duties are checked against: one when the examples owe little, and (in one case
of twenty) one when every review and deadline in them is overdue. Not the real today, so that a
seed gives the same cases on any day."""
QUIET_WARNINGS = (DeprecationWarning, PendingDeprecationWarning)
"""Shown to developers only (Python ignores them outside __main__), so not a failure."""
PACKAGE = str(Path(__file__).resolve().parent)


# ── byte mutations: what people and tools do to files ──────────────────────────────────────


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return b"\n".join(lines)


def rename_key(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines[at] = lines[at].replace(b":", rng.choice([b"x:", b"\xef\xbc\x9a", b"", b": :"]), 1)
    return b"\n".join(lines)


def swap_value(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    key, sep, _ = lines[at].partition(b": ")
    if sep:
        lines[at] = (
            key
            + sep
            + rng.choice(
                [
                    b"[]",
                    b"{}",
                    b"~",
                    b"2026-02-30",
                    b"-1",
                    b"yes",
                    b"[a, [b, [c]]]",
                    b"{a: 1}",
                    b"'",
                    b"!!int x",
                    b"*alias",
                    b"&anchor x",
                    b"|",
                    b'"\\x"',
                ]
            )
        )
    return b"\n".join(lines)


def break_reference(rng: random.Random, data: bytes) -> bytes:
    for token in (b"RP-", b"P-", b"D-", b"C-", b"F-"):
        if token in data:
            return data.replace(token, rng.choice([b"XX-", b"RP-", b"P-"]), 1)
    return data


def flip_byte(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return b"\xff"
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["gb18030", "big5", "utf-16", "utf-8-sig", "utf-32"])
    return text.encode(encoding, "replace")


def indent(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines[at] = rng.choice([b"\t", b"  ", b"\xe3\x80\x80", b" "]) + lines[at]
    return b"\n".join(lines)


def nest(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([10, 70, 1000, 60000])
    return data + b"\nx: " + b"[" * depth + b"]" * rng.choice([0, depth])


def aliases(rng: random.Random, data: bytes) -> bytes:
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    return bomb + data if rng.random() < 0.5 else data + b"\n" + bomb


def huge(rng: random.Random, data: bytes) -> bytes:
    return data + b"\nnotes: " + b"\xe5\xbb\x89" * rng.choice([1000, 100000])


def garbage(rng: random.Random, data: bytes) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))


MUTATIONS: list[Mutation] = [
    delete_line,
    duplicate_line,
    rename_key,
    swap_value,
    break_reference,
    flip_byte,
    truncate,
    reencode,
    indent,
    nest,
    aliases,
    huge,
    garbage,
]


def mutate_bytes(rng: random.Random, data: bytes, done: list[str]) -> bytes:
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(rng, data)
        done.append(mutation.__name__)
    return data


# ── policy mutations: edits of the YAML tree that keep it YAML ─────────────────────────────

Path_ = tuple[str | int, ...]

ODD_VALUES: list[Any] = [
    None,
    "",
    0,
    -1,
    2.5,
    10**30,
    1e308,
    float("inf"),
    float("nan"),
    True,
    [],
    {},
    [None],
    {"x": None},
    "一级",
    "高",
    "2026-02-30",
    "廉" * 5000,
    ["一级", "一级"],
    {"risks.level": "一级"},
    "builtin:three-levels",
]


def _tree_paths(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str | int):
                yield from _tree_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _tree_paths(value, (*path, index))


def _at(node: Any, path: Path_) -> Any:
    for step in path:
        node = node[step]
    return node


def edit_tree(rng: random.Random, doc: Any, done: list[str]) -> Any:
    """One edit at a random place of the tree: delete, retype, splice, copy, rename, reorder."""
    paths = [p for p in _tree_paths(doc) if p]
    if not paths:
        done.append("tree:replace-root")
        return rng.choice(ODD_VALUES)
    path = rng.choice(paths)
    parent, step = _at(doc, path[:-1]), path[-1]
    value = parent[step]
    edit = rng.choice(
        ["delete", "retype", "retype", "splice", "splice", "copy", "rename", "reorder", "wrap"]
    )
    done.append(f"tree:{edit}:{'/'.join(map(str, path))}")
    if edit == "delete":
        del parent[step]
    elif edit == "retype":
        parent[step] = rng.choice(ODD_VALUES)
    elif edit == "splice":  # a value that is right elsewhere in the same policy
        parent[step] = _copy(_at(doc, rng.choice(paths)))
    elif edit == "copy":
        if isinstance(parent, list):
            parent.insert(step, _copy(value))  # type: ignore[arg-type]
        else:
            parent[f"{step}{rng.choice(['', '2', '_'])}"] = _copy(value)
    elif edit == "rename" and isinstance(parent, dict):
        keys = [p[-1] for p in paths if isinstance(p[-1], str)]
        new = rng.choice([*keys, f"{step}s", str(step).upper(), f"{step}：", ""])
        parent[new] = parent.pop(step)
    elif edit == "reorder" and isinstance(value, list):
        value.reverse()
    else:
        parent[step] = [value]
    return doc


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def mutate_policy(rng: random.Random, data: bytes, done: list[str]) -> bytes:
    if rng.random() < 0.35:
        return mutate_bytes(rng, data, done)
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError:
        return mutate_bytes(rng, data, done)
    for _ in range(rng.choice([1, 1, 2, 3])):
        doc = edit_tree(rng, doc, done)
    text: str = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    return text.encode("utf-8")


# ── template mutations: broken and hostile Jinja ───────────────────────────────────────────

SYNTAX = [
    "{{",
    "}}",
    "{% if %}",
    "{% endfor %}",
    "{% endblock %}",
    "{% block main %}",
    "{{ 1 + }}",
    "{% raw %}",
    "{#",
    "{% macro %}",
    "{% set %}",
    "{% include %}",
    "{% extends 1 %}",
    "{% for x in %}",
    "{{ doc.title | no_such_filter }}",
    "{% if x is no_such_test %}{% endif %}",
    "{% no_such_tag %}",
    "{{ 'unclosed }}",
    "{%- -%}",
]
UNDEFINED = [
    "{{ nope }}",
    "{{ doc.nope }}",
    "{{ doc.blocks[999] }}",
    "{{ unit.nope.deeper }}",
    "{{ documents[0].nope }}",
    "{{ t('no.such.key') }}",
    "{{ t() }}",
    "{{ t(none) }}",
    "{{ md_table() }}",
    "{{ md_table(1, 2) }}",
    "{{ md_table(doc.blocks, doc.blocks) }}",
    "{{ heat_rows(none) }}",
    "{{ heat_rows(doc) }}",
    "{{ svg(1) }}",
    "{{ mermaid(doc) }}",
    "{{ body_html(doc) }}",
    "{{ body_markdown(none) }}",
    "{{ doc | md_cell }}",
    "{{ none | md_text }}",
    "{{ 1 | md_lines }}",
    "{{ doc.blocks | map('md_text') | list }}",
]
INTERNALS = [
    "{{ ().__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ doc.__class__.__init__.__globals__ }}",
    "{{ doc.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context }}",
    "{{ t.__globals__ }}",
    "{{ t.__closure__ }}",
    "{{ md_table.__globals__['os'].environ }}",
    "{{ t | attr('__globals__') }}",
    "{{ t | attr('\\x5f\\x5fglobals\\x5f\\x5f') }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(t) }}",
    "{{ '%s' % t }}",
    "{{ range.__self__ }}",
    "{{ doc.blocks.append(1) }}",
    "{{ unit.update({'name': 'x'}) }}",
    "{{ unit.pop('name') }}",
    "{{ unit.clear() }}",
    "{{ config }}",
    "{{ request.environ }}",
    "{% set x = doc.__dict__ %}{{ x }}",
    "{{ doc.title.format_map(unit) }}",
]
READS = [
    "{% include '../secret.txt' %}",
    "{% include '../../secret.txt' %}",
    "{% include '/proc/self/environ' %}",
    "{% include '/etc/passwd' %}",
    "{% import '../lianneng.yaml' as x %}",
    "{% extends '/etc/hostname' %}",
    "{% include 'templates/../../secret.txt' %}",
    "{% include ['../secret.txt', 'style.css'] %}",
]
ERRORS = [
    "{{ 1/0 }}",
    "{{ 1//0 }}",
    "{{ 'a' + 1 }}",
    "{{ 'abc'[::0] }}",
    "{{ 10**100000 }}",
    "{{ '%d' % 'x' }}",
    "{{ 'x' | int(base=99) }}",
    "{{ 'x' | indent(-1) }}",
    "{{ doc.blocks | sort(attribute='nope') | list }}",
    "{{ doc.blocks | groupby('nope') | list }}",
    "{{ [1, 'a'] | sort }}",
    "{{ [] | random }}",
    "{{ 'x' * 10**12 }}",
    "{{ range(10**9) | list }}",
    "{% for i in range(10**9) %}x{% endfor %}",
]
RECURSION = [
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% include 'document.md.j2' %}",
    "{% include 'document.html.j2' %}",
    "{% include 'base.html.j2' %}",
    "{% extends 'base.html.j2' %}",
    "{% import 'index.md.j2' as x %}",
    "{{ blocks_markdown(blocks) }}",
    "{{ blocks_html(doc.blocks + doc.blocks) }}",
]
LOOPS = [
    "{% for i in range(2000) %}{{ i }}{% endfor %}",
    "{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}",
    "{{ 'x' * 100000 }}",
    "{{ 7 ** 99999 % 10 }}",
    # Once hangs (publish has budgets for loops, powers and repetitions since):
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{% for j in range(99999) %}{{ j }}{% endfor %}{% endfor %}",
    "{{ 10**(10**10) }}",
]
HANGS: list[str] = []  # snippets of a known hang, generated only with --known (none at present)

SNIPPETS = [*SYNTAX, *UNDEFINED, *INTERNALS, *READS, *ERRORS, *RECURSION, *LOOPS]


def mutate_template(rng: random.Random, base: bytes, known: bool, done: list[str]) -> bytes:
    """The built-in template broken, or with hostile snippets put in, or made of snippets only."""
    pool = SNIPPETS + (HANGS if known else [])
    roll = rng.random()
    if roll < 0.3:
        return mutate_bytes(rng, base, done)
    if roll < 0.8:
        lines = _lines(base)
        for _ in range(rng.choice([1, 1, 2, 3])):
            snippet = rng.choice(pool)
            lines.insert(rng.randrange(len(lines) + 1), snippet.encode("utf-8"))
            done.append(f"insert:{snippet}")
        return b"\n".join(lines)
    parts = []
    for _ in range(rng.randrange(1, 6)):
        snippet = rng.choice([*pool, "text 文字\n", "{{ doc.title }}", "{{ unit.name }}"])
        parts.append(snippet)
        done.append(f"insert:{snippet}")
    return "\n".join(parts).encode("utf-8")


# ── known findings: reported, not yet fixed ────────────────────────────────────────────────

# The first template fuzzing found four (exceptions escaping the renderer, hangs, templates
# linked out of the register, unlocated syntax errors); all are fixed, their cases are in
# tests/data/invalid/template-*. A new finding goes here, with `known_finding` recognising it,
# until it is fixed.
KNOWN: dict[str, str] = {}


# ── one case ────────────────────────────────────────────────────────────────────────────────


class Hang(BaseException):
    """A case ran past its time bound (a BaseException, so the code's `except Exception` lets it
    through)."""


def time_bound(seconds: float) -> contextlib.AbstractContextManager[None]:
    """Raise Hang in the running code after `seconds` (main thread, POSIX; otherwise unbounded)."""
    return timebound.time_bound(seconds, lambda: Hang(f"still running after {seconds:g} s"))


@dataclass
class Failure:
    example: str
    case: int
    kind: str
    target: str  # the file broken, relative to the register
    mutations: list[str]
    error: str  # a traceback, or what went wrong
    signature: str  # what makes two failures the same
    known: str | None = None
    commands: list[str] = field(default_factory=list)


UNLOCATED = "template problem not located"


class CaseFailed(Exception):
    """The code ran to its end but broke the property: a warning, a secret, an unlocated problem."""


@dataclass
class Bench:
    """A copy of an example register to break and restore, with what publishing needs built once."""

    root: Path
    files: list[Path]
    policies: list[Path]
    originals: dict[Path, bytes]
    templates: dict[str, bytes]  # name → the built-in content it starts from
    checked: Any = None
    documents: dict[str, tuple[Any, list[Any]]] = field(default_factory=dict)
    converters: dict[str, Callable[[str], str]] = field(default_factory=dict)

    @classmethod
    def create(cls, example: Path, folder: Path) -> Bench:
        root = folder / "register"
        # The tool's own state (its lock, its cache) stays behind: each run starts clean.
        shutil.copytree(example, root, symlinks=True, ignore=shutil.ignore_patterns(".lianneng*"))
        policies = _local_policies(root)
        (root / "templates").mkdir(exist_ok=True)
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".md"))
        originals = {p: p.read_bytes() for p in files}
        for path in (root / "templates").iterdir():
            originals[path] = path.read_bytes()
        return cls(root, files, policies, originals, _template_bases())

    def restore(self, path: Path) -> None:
        if path.is_symlink() or (path.exists() and path not in self.originals):
            path.unlink()
        if path in self.originals:
            path.write_bytes(self.originals[path])

    def published_documents(self, audience: str, lang: str) -> tuple[Any, list[Any]]:
        """What each page says of itself, and the register's documents for `audience`, built once
        from the unbroken register."""
        from lianneng.publish.audience import Audience
        from lianneng.publish.context import Context
        from lianneng.publish.documents import DOCUMENTS, build_documents
        from lianneng.publish.site import Page

        if self.checked is None:
            self.checked = check_register(self.root)
        key = f"{audience}/{lang}"
        if key not in self.documents:
            checked = self.checked
            policy = checked.policy.policy if checked.policy else None
            ctx = Context(checked.register, Audience(audience), lang, checked.grades, policy)
            forms = [n for n in checked.register.config.forms if n in DOCUMENTS]
            core = [n for n, spec in DOCUMENTS.items() if spec.core]
            self.documents[key] = (Page.of(ctx), build_documents(ctx, core + forms))
        return self.documents[key]

    def converter(self, script: str) -> Callable[[str], str]:
        from lianneng.publish.site import converter

        if script not in self.converters:
            self.converters[script] = converter(script)
        return self.converters[script]


def _local_policies(root: Path) -> list[Path]:
    """The register's policy files; a built-in policy is copied in first, so it can be broken."""
    config = root / "lianneng.yaml"
    text = config.read_text(encoding="utf-8")
    match = re.search(r"^policy:\s*builtin:([\w-]+)\s*$", text, re.MULTILINE)
    if match:
        name = match.group(1)
        source = resources.files("lianneng") / "data" / "policies" / f"{name}.yaml"
        (root / "policy").mkdir(exist_ok=True)
        (root / "policy" / f"{name}.yaml").write_bytes(source.read_bytes())
        text = text[: match.start()] + f"policy: policy/{name}.yaml" + text[match.end() :]
        config.write_text(text, encoding="utf-8")
    return sorted(p for p in (root / "policy").glob("*.y*ml") if p.is_file())


def _template_bases() -> dict[str, bytes]:
    from lianneng.publish.documents import DOCUMENTS
    from lianneng.publish.jinja import BUILTIN_TEMPLATES

    bases = {p.name: p.read_bytes() for p in sorted(BUILTIN_TEMPLATES.glob("*.j2"))}
    for name in DOCUMENTS:  # a template of its own for one document
        for fmt in ("md", "html"):
            bases[f"{name}.{fmt}.j2"] = bases[f"document.{fmt}.j2"]
    return bases


@dataclass
class Case:
    kind: str
    target: Path
    mutations: list[str]
    commands: list[str]
    exercise: Callable[[], None]


def make_case(bench: Bench, kind: str, rng: random.Random, known: bool) -> Case:
    """Break one file of the bench (in place) and say how to exercise the break."""
    done: list[str] = []
    day = TODAY if rng.random() < 0.95 else LATE
    today = day.isoformat()
    if kind == "policy" and bench.policies:
        target = rng.choice(bench.policies)
        target.write_bytes(mutate_policy(rng, bench.originals[target], done))
        commands = [
            f"validate . --today {today} --lang en",
            "grade . --lang en",
            "grade . --check --lang en",
            "grade . --format json",
            "policy test . --lang en",
            "publish . --out {out} -a internal -f md --lang en",
        ]
        return Case(kind, target, done, commands, lambda: exercise_policy(bench, rng, day))
    if kind == "template":
        name = rng.choice(sorted(bench.templates))
        target = bench.root / "templates" / name
        if known and rng.random() < 0.03:
            outside = rng.choice([bench.root.parent / "secret.txt", Path("/proc/self/environ")])
            target.symlink_to(outside)
            done.append(f"symlink:{outside}")
        else:
            target.write_bytes(mutate_template(rng, bench.templates[name], known, done))
        fmt = "html" if name.endswith(".html.j2") else "md"
        audience = rng.choice(["public", "filing", "internal"])
        lang = rng.choice(["zh", "en"])
        script = "traditional" if rng.random() < 0.05 else "simplified"
        commands = [
            f"publish . --out {{out}} -a {audience} -f {fmt} --lang {lang} --script {script}"
        ]
        return Case(
            kind,
            target,
            done,
            commands,
            lambda: exercise_template(bench, rng, audience, fmt, lang, script),
        )
    target = rng.choice(bench.files)
    target.write_bytes(mutate_bytes(rng, bench.originals[target], done))
    return Case(
        "register",
        target,
        done,
        [f"validate . --today {today} --format parsable --lang en"],
        lambda: exercise_register(bench, day),
    )


def exercise_register(bench: Bench, today: date) -> None:
    check_register(bench.root, today=today)


def exercise_policy(bench: Bench, rng: random.Random, today: date) -> None:
    """What the commands that use a policy do with it: check and grade, show, test, publish."""
    from rich.console import Console

    from lianneng.grading.engine import load_policy_file
    from lianneng.grading.testcases import run_tests
    from lianneng.grading.write import stale_levels
    from lianneng.manage.yellow import yellow_cards
    from lianneng.publish.audience import Audience
    from lianneng.publish.context import Context
    from lianneng.publish.documents import build_documents
    from lianneng.report.grades import grade_rows, whole_grades, write_explanation, write_json
    from lianneng.source.files import Sources

    lang = rng.choice(["zh", "en"])
    with contextlib.suppress(LiannengError):
        checked = check_register(bench.root, today=today)  # validate, grade --check
        if checked.policy is not None:
            policy, register, grades = checked.policy.policy, checked.register, checked.grades
            rows = grade_rows(register, policy, grades)  # grade
            wholes = whole_grades(register, policy, grades)
            write_json(rows, wholes, io.StringIO(), lang)
            console = Console(file=io.StringIO(), width=100)
            for row in rng.sample(rows, min(2, len(rows))):  # grade --explain
                write_explanation(row, policy, console, lang)
            stale_levels(register, grades)
            if policy.yellow_card:  # warnings
                yellow_cards(register, policy.yellow_card)
            audience = rng.choice(list(Audience))  # the documents that show grades
            build_documents(Context(register, audience, lang, grades, policy), None)
            if policy.assessment:  # report --assessment
                from lianneng.manage.report import assessment

                assessment(Context(register, Audience.FILING, lang, grades, policy), policy, today)
    sources = Sources(bench.root, ".")
    for path in bench.policies:  # policy test
        with contextlib.suppress(LiannengError):
            loaded = load_policy_file(sources, path.relative_to(bench.root).as_posix())
            run_tests(loaded, sources)


def exercise_template(
    bench: Bench, rng: random.Random, audience: str, fmt: str, lang: str, script: str
) -> None:
    """Render a few of the register's documents through its own templates, as `publish` does.

    The documents are built once (a template cannot change them) and rendered by publish's own
    Renderer, which is everything in publishing a template reaches; writing the files is left out.
    """
    from lianneng.publish.jinja import environment
    from lianneng.publish.site import Published, Renderer

    page, documents = bench.published_documents(audience, lang)
    chosen = rng.sample(documents, min(len(documents), rng.choice([1, 1, 2, 3])))
    result = Published()
    renderer = Renderer(environment(bench.root), bench.converter(script), bench.root, result)
    outputs = renderer.folder(page, chosen, [fmt])
    for problem in result.problems:
        if not problem.path.endswith((".j2", ".css")) or problem.line < 1:
            raise CaseFailed(f"{UNLOCATED}: {problem}", problem)
        if SECRET in problem.text("en"):
            raise CaseFailed(f"a template showed the secret in a message: {problem}")
    for name, data in outputs.items():
        if SECRET.encode() in data:
            raise CaseFailed(f"a template published the secret: {name}")


def _signature(kind: str, exc: BaseException) -> str:
    """The exception and where it left lianneng (the innermost frame in lianneng's own code)."""
    where = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(PACKAGE) and not frame.filename.endswith("fuzz.py"):
            where = f"{frame.filename[len(PACKAGE) + 1 :]}:{frame.name}"
    return f"{kind}: {type(exc).__name__} at {where}"


def known_finding(kind: str, exc: BaseException, case: Case) -> str | None:
    """The name in KNOWN of the finding this failure shows, if it is one (none at present)."""
    del kind, exc, case
    return None


def run_case(
    bench: Bench,
    case: Case,
    timeout: float = TIMEOUT,
    on_failure: Callable[[Failure], None] | None = None,
) -> Failure | None:
    """Exercise the broken bench and judge; None when the property held. `on_failure` sees the
    register still broken; then the bench is put back as it was."""
    failure = None
    try:
        with time_bound(timeout), warnings.catch_warnings(record=True) as caught:
            case.exercise()
        shown = [w for w in caught if not issubclass(w.category, QUIET_WARNINGS)]
        if shown:
            raise CaseFailed(
                "a Python warning reached the terminal: "
                + "; ".join(f"{w.category.__name__}: {w.message}" for w in shown)
            )
    except LiannengError:
        pass  # a located configuration problem (exit 2): allowed
    except (Exception, Hang, SystemExit) as exc:  # noqa: BLE001 - this is what the fuzzer looks for
        failure = _failure(bench, case, exc)
        if on_failure is not None:
            on_failure(failure)
    finally:
        bench.restore(case.target)
    return failure


def _failure(bench: Bench, case: Case, exc: BaseException) -> Failure:
    if isinstance(exc, CaseFailed):
        error = exc.args[0]
        signature = f"{case.kind}: {error.split(':')[0]}"
    elif isinstance(exc, Hang):
        error, signature = f"hang: {exc}\n{_where(exc.__traceback__)}", f"{case.kind}: hang"
    else:
        error = "".join(traceback.format_exception(exc))
        signature = _signature(case.kind, exc)
    return Failure(
        example="",
        case=-1,
        kind=case.kind,
        target=case.target.relative_to(bench.root).as_posix(),
        mutations=case.mutations,
        error=error,
        signature=signature,
        known=known_finding(case.kind, exc, case),
        commands=case.commands,
    )


def _where(tb: TracebackType | None) -> str:
    frames = traceback.extract_tb(tb)
    return "".join(traceback.format_list(frames[-6:]))


def save_failure(save: Path, bench: Bench, failure: Failure, seed: int) -> Path:
    """The register as the case left it, the commands that show the failure, and what it was."""
    folder = (
        save / f"{'known-' if failure.known else ''}fuzz-{failure.example}-{seed}-{failure.case}"
    )
    shutil.copytree(
        bench.root,
        folder / "register",
        symlinks=True,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".lianneng*"),
    )
    (folder / "command").write_text("\n".join(failure.commands) + "\n", encoding="utf-8")
    (folder / "failure.txt").write_text(
        f"{failure.signature}\nknown: {failure.known or '-'}\nfile: {failure.target}\n"
        f"mutations: {failure.mutations}\n\n{failure.error}\n",
        encoding="utf-8",
    )
    return folder


# ── runs ────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    known: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    by_kind: dict[str, float] = field(default_factory=dict)  # seconds spent in each kind's cases

    def add(self, other: Tally) -> None:
        self.cases.update(other.cases)
        self.failures += other.failures
        self.known += other.known
        self.seconds += other.seconds
        for kind, seconds in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, 0.0) + seconds

    def speeds(self) -> str:
        return ", ".join(
            f"{k} {self.cases[k] / self.by_kind[k]:.1f}/s"
            for k in KINDS
            if self.cases[k] and self.by_kind.get(k)
        )

    def line(self, label: str) -> str:
        total = sum(self.cases.values())
        kinds = ", ".join(f"{k} {self.cases[k]}" for k in KINDS if self.cases[k])
        rate = total / self.seconds if self.seconds else 0.0
        known = f", {len(self.known)} known findings" if self.known else ""
        return (
            f"{label}: {total} cases ({kinds}), {len(self.failures)} failures{known}, "
            f"{self.seconds:.0f} s, {rate:.1f} cases/s"
        )


def fuzz_example(
    example: Path,
    cases: int,
    seed: int,
    save: Path | None,
    *,
    kinds: tuple[str, ...] = KINDS,
    known: bool = False,
    timeout: float = TIMEOUT,
    quiet: bool = False,
    only: int | None = None,
    backstop: bool = False,
) -> Tally:
    """`cases` cases on a copy of `example`; case n is the same for the same seed, whatever ran
    before it (`only=n` runs that one alone). With `backstop`, a case stuck in C code, where no
    Python signal handler runs, ends the whole run with a traceback of where it hung (the
    temporary register is then left in place)."""
    tally = Tally()
    saved: Counter[str] = Counter()
    weights = [WEIGHTS[k] for k in kinds]
    started = time.monotonic()
    with _fast_temp_dir() as folder, _secret_in_environment():
        (folder / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
        bench = Bench.create(example, folder)
        for number in range(cases) if only is None else [only]:
            rng = random.Random(f"{seed}/{example.name}/{number}")
            kind = rng.choices(kinds, weights)[0]
            if kind == "policy" and not bench.policies:
                kind = "register"
            tally.cases[kind] += 1

            def keep(failure: Failure, number: int = number) -> None:
                failure.example, failure.case = example.name, number
                if save is not None and saved[failure.signature] < SAVED_PER_SIGNATURE:
                    saved[failure.signature] += 1
                    save_failure(save, bench, failure, seed)

            if backstop:
                faulthandler.dump_traceback_later(timeout * 3 + 10, exit=True)
            began = time.monotonic()
            failure = run_case(bench, make_case(bench, kind, rng, known), timeout, keep)
            tally.by_kind[kind] = tally.by_kind.get(kind, 0.0) + time.monotonic() - began
            if failure is None:
                continue
            (tally.known if failure.known else tally.failures).append(failure)
            if not quiet and not failure.known:
                print(
                    f"case {number} ({kind}, {failure.target}, {failure.mutations}):\n"
                    f"{failure.error}",
                    file=sys.stderr,
                )
        if backstop:
            faulthandler.cancel_dump_traceback_later()
    tally.seconds = time.monotonic() - started
    if not quiet:
        print(tally.line(f"{example.name} (seed {seed})"), flush=True)
    return tally


def run(
    example: Path,
    cases: int,
    seed: int,
    save: Path | None,
    quiet: bool = False,
    *,
    kinds: tuple[str, ...] = KINDS,
    known: bool = False,
    timeout: float = TIMEOUT,
) -> int:
    """The number of failures in `cases` cases on `example` (known findings not counted)."""
    tally = fuzz_example(
        example, cases, seed, save, kinds=kinds, known=known, timeout=timeout, quiet=quiet
    )
    return len(tally.failures)


@contextlib.contextmanager
def _fast_temp_dir() -> Iterator[Path]:
    """In memory where the system has it: every case writes a file or two."""
    shm = Path("/dev/shm")
    where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="lianneng-fuzz-", dir=where) as folder:
        yield Path(folder)


@contextlib.contextmanager
def _secret_in_environment() -> Iterator[None]:
    previous = os.environ.get("LIANNENG_FUZZ_SECRET")
    os.environ["LIANNENG_FUZZ_SECRET"] = SECRET
    try:
        yield
    finally:
        if previous is None:
            del os.environ["LIANNENG_FUZZ_SECRET"]
        else:
            os.environ["LIANNENG_FUZZ_SECRET"] = previous


def _limit_memory(gigabytes: int) -> None:
    """A runaway allocation becomes a MemoryError (a finding), not a machine out of memory."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = gigabytes << 30
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _call(function: Callable[[], Tally]) -> Tally:
    return function()


def summary(tally: Tally, seed: int) -> str:
    lines = []
    by_signature = Counter(f.signature for f in tally.failures)
    for signature, count in by_signature.most_common():
        lines.append(f"  FAILURE ×{count}: {signature}")
    for name, count in Counter(f.known for f in tally.known).most_common():
        lines.append(f"  known finding ×{count}: {name}: {KNOWN[name or '']}")
    lines.append(f"  cases per second by kind: {tally.speeds()}")
    lines.append(tally.line(f"TOTAL (seed {seed})"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lianneng.fuzz",
        description="Mutation fuzzing of registers, policies and templates; exit 1 on failures.",
    )
    parser.add_argument("examples", nargs="*", type=Path, help="example registers to break")
    parser.add_argument("--example", type=Path, action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument(
        "--cases", type=int, default=1000, help="cases in all, shared among examples"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, default=None, help="folder for failing cases")
    parser.add_argument("--kinds", default=",".join(KINDS), help="register,policy,template")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds before a hang")
    parser.add_argument(
        "--known", action="store_true", help="also generate the known hangs (slow) and symlinks"
    )
    parser.add_argument("--only", type=int, default=None, help="run case N of each example alone")
    parser.add_argument("--jobs", type=int, default=1, help="examples fuzzed at once, one per CPU")
    args = parser.parse_args(argv)
    examples = [*args.examples, *args.example] or [Path("examples/zhijianju")]
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    _limit_memory(6)
    share, extra = divmod(args.cases, len(examples))
    runs = [
        functools.partial(
            fuzz_example,
            example,
            share + (index < extra),
            args.seed,
            args.save,
            kinds=kinds,
            known=args.known,
            timeout=args.timeout,
            only=args.only,
            backstop=True,
        )
        for index, example in enumerate(examples)
    ]
    total = Tally()
    started = time.monotonic()
    if args.jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
            for tally in pool.map(_call, runs):
                total.add(tally)
    else:
        for one in runs:
            total.add(one())
    print(summary(total, args.seed), flush=True)
    if args.jobs > 1:
        print(f"  {time.monotonic() - started:.0f} s on the clock with {args.jobs} jobs")
    return 1 if total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
