"""`publish`: every document, for each audience, in each format, written where it changed.

Output: `OUT/<audience>/<document>.<format>` and an `index` page per audience. A list of the files
written is kept in `OUT/.lianneng-published`, so files the register no longer produces are removed
and nothing else in OUT is touched.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import heapq
import io
import json
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import TemplateError, TemplateSyntaxError

from lianneng.errors import UsageError
from lianneng.pipeline import Checked
from lianneng.problems import Problem, Severity, msg
from lianneng.publish.audience import Audience
from lianneng.publish.blocks import Body, Document
from lianneng.publish.context import Context
from lianneng.publish.documents import DOCUMENTS, each_document
from lianneng.publish.jinja import BUILTIN_TEMPLATES, TEMPLATE_SECONDS, environment, time_bound
from lianneng.publish.labels import label
from lianneng.speed import building_to_last, current_speed, keep_until_exit
from lianneng.write import StagedFiles, remove_left_behind, write_atomic

FORMATS = ("md", "html", "xlsx", "docx")
BUILDING_ORDER = (Audience.FILING, Audience.INTERNAL, Audience.PUBLIC)
RECORD_FILE = ".lianneng-published"
K = TypeVar("K")  # what names a file: its name in a folder, or its path


@dataclass
class Published:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def no_conversion(text: str) -> str:
    return text


def converter(script: str) -> Callable[[str], str]:
    if script != "traditional":
        return no_conversion
    import opencc

    # s2tw: Taiwan-standard characters without phrase changes, as seed 004 writes (為、審核、網絡).
    convert = opencc.OpenCC("s2tw").convert
    return lambda text: convert(text) if text else text


def convert_document(document: Document, convert: Callable[[str], str]) -> Document:
    """The document with every string in it passed through `convert` (simplified → traditional)."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return convert(value)
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(
                value,
                **{
                    f.name: walk(getattr(value, f.name))
                    for f in dataclasses.fields(value)
                    if f.name != "name" or not isinstance(value, Document)
                },
            )
        return value

    converted: Document = walk(document)
    return converted


@dataclass(frozen=True)
class Page:
    """What every page says of itself: whose documents, for whom, in which language."""

    unit: dict[str, str]  # name, code, supervisor, period
    lang: str
    audience: str
    audience_label: str

    @classmethod
    def of(cls, ctx: Context) -> Page:
        return cls(
            ctx.unit,
            ctx.lang,
            ctx.audience.value,
            label(f"word.audience.{ctx.audience.value}", ctx.lang),
        )


def publish(
    checked: Checked,
    out: Path,
    *,
    audiences: list[Audience],
    formats: list[str],
    lang: str,
    script: str,
    progress: Callable[[str], None] | None = None,
    builder: Callable[[Context], list[Document]] | None = None,
) -> Published:
    """Render the register's documents (or those `builder` makes) for each audience and format."""
    register = checked.register
    selected = _selected_documents(checked) if builder is None else []
    result = Published()
    office = OfficeWorkers.for_register(len(register.records), formats)
    renderer = Renderer(
        environment(register.root), converter(script), register.root, result, office
    )
    folders: list[Folder] = []
    made: dict[tuple[Audience, str], Document | None] = {}
    # Each file is written (staged) as soon as it is made, and put in place at the end, once
    # nothing has failed.
    staging = Staging()
    try:
        # Views, documents and pages: hundreds of thousands of new objects, free of cycles,
        # that live until the files are written (the collector's walks were a tenth of
        # publishing a large register).
        with building_to_last():
            try:
                # Filing first: its office files are the most work (the workers start on them
                # soonest) and the internal audience takes from its documents.
                for audience in sorted(audiences, key=BUILDING_ORDER.index):
                    policy = checked.policy.policy if checked.policy else None
                    ctx = Context(register, audience, lang, checked.grades, policy)
                    # Office files render in the workers, each started as its document is
                    # built, while this process goes on; the Markdown and HTML wait until every
                    # audience's office files are under way, so the workers are given all their
                    # work early rather than the last audience's files at the end.
                    staged_in = staging.into(out / audience.value)
                    folder = Folder(renderer, Page.of(ctx), formats, progress, staged_in)
                    if builder is not None:
                        built: Iterable[Document] = builder(ctx)
                    else:
                        built = each_document(ctx, selected, made)
                    for document in built:
                        folder.add(document)
                    folders.append(folder)
                # Every folder's Markdown and HTML before waiting for any office file; a
                # rendering of a block is kept until the last of them to show it is rendered.
                renderer.env.renderings.expect(d for each in folders for d in each.documents)
                for folder in folders:
                    folder.finish()
                outputs = renderer.collect(staging.started)
            finally:
                if office is not None:
                    office.close()
        keep_until_exit((renderer, folders))  # every audience's documents
        # Built while the register's checks ran beside: an error they find stops the writing
        # (the caller reports it), as does any in a template.
        failed = any(p.severity is Severity.ERROR for p in result.problems) or (
            checked.beside is not None
            and any(p.severity is Severity.ERROR for p in checked.settle().problems)
        )
        if failed:
            staging.discard()
            return result
        staged = staging.finish(outputs)
    except BaseException:
        staging.discard()
        raise
    in_scope = {(a.value, f) for a in audiences for f in formats}
    write_outputs(
        out, staged, result, lambda rel: (rel.split("/")[0], rel.rsplit(".", 1)[-1]) in in_scope
    )
    return result


class Staging:
    """A publish run's files, each staged (StagedFiles) as soon as it is made, two at a time on
    helper threads: writing is mostly the kernel copying bytes and waiting for the disk, with
    the GIL let go, and at 100k risk points its 900 MB otherwise waited for the end (2.5 s)."""

    def __init__(self) -> None:
        self.staged = StagedFiles()
        self.started: dict[Path, Future[bytes]] = {}
        """The files made in the workers (their bytes, once made, are kept by the futures);
        the others' bytes are let go once staged."""
        self._submitted: set[Path] = set()
        self._jobs: list[Future[None]] = []
        self._pool = ThreadPoolExecutor(2, "stage")
        self._lock = threading.Lock()
        self._closed = False

    def into(self, folder: Path) -> Callable[[str, bytes | Future[bytes]], None]:
        """What a Folder calls with each of its files: staged in `folder` once it is made."""
        return lambda name, file: self.put(folder / name, file)

    def put(self, path: Path, file: bytes | Future[bytes]) -> None:
        if isinstance(file, bytes):
            self._stage(path, file)
        else:  # made by a worker, or by this process if none started it (OfficeWorkers.collect)
            self.started[path] = file
            file.add_done_callback(lambda done: self._stage_made(path, done))

    def _stage_made(self, path: Path, done: Future[bytes]) -> None:
        if not done.cancelled() and done.exception() is None:
            self._stage(path, done.result())

    def _stage(self, path: Path, data: bytes) -> None:
        with self._lock:
            if self._closed or path in self._submitted:
                return
            self._submitted.add(path)
            self._jobs.append(self._pool.submit(self.staged.stage, path, data))

    def finish(self, outputs: dict[Path, bytes]) -> StagedFiles:
        """Every file staged (any of `outputs` not yet, now), once all are; the first error in
        writing them is raised."""
        for path, data in outputs.items():
            self._stage(path, data)
        self._close()
        for job in self._jobs:
            job.result()
        return self.staged

    def discard(self) -> None:
        """Nothing staged is left behind."""
        self._close()
        self.staged.discard()

    def _close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True)


@dataclass
class Renderer:
    """Built documents → bytes of each format, plus an index page; template errors collected."""

    env: Any
    convert: Callable[[str], str]
    root: Path | None
    result: Published
    office: OfficeWorkers | None = None
    office_made: dict[tuple[str, str, str, str], tuple[Document, bytes | Future[bytes]]] = field(
        default_factory=dict
    )

    def folder(
        self,
        page: Page,
        built: list[Document],
        formats: list[str],
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, bytes]:
        folder = Folder(self, page, formats, progress)
        for document in built:
            folder.add(document)
        return self.collect(folder.finish())

    def collect(self, files: Mapping[K, bytes | Future[bytes]]) -> dict[K, bytes]:
        """Every file's bytes, once those made in the workers are done."""
        if self.office is not None:
            return self.office.collect(files)
        return {n: f if isinstance(f, bytes) else f.result() for n, f in files.items()}

    def office_files(
        self,
        wanted: list[tuple[str, Document]],
        unit: str,
        lang: str,
        progress: Callable[[str], None] | None = None,
    ) -> list[bytes | Future[bytes]]:
        """The XLSX and DOCX files of these (format, document)s, or their renderings in the
        workers, all started at once. A file is a pure function of its document, unit and
        language, and most documents are the same for every audience (an office file has no page
        header naming it), so an audience's file equal to the one before is not made again."""
        earlier = [self.earlier_office_file(fmt, d, unit, lang) for fmt, d in wanted]
        jobs = [
            (fmt, d, unit, lang) for (fmt, d), e in zip(wanted, earlier, strict=True) if e is None
        ]
        if self.office is not None:
            rendered: list[bytes | Future[bytes]] = list(self.office.render(jobs))
        else:
            rendered = []
            for job in jobs:
                if progress:
                    progress(f"{job[1].name}.{job[0]}")
                rendered.append(render_office(*job))
        fresh = iter(rendered)
        made: list[bytes | Future[bytes]] = []
        for (fmt, document), result in zip(wanted, earlier, strict=True):
            if result is None:
                result = next(fresh)
                self.office_made[(fmt, document.name, unit, lang)] = (document, result)
            made.append(result)
        return made

    def earlier_office_file(
        self, fmt: str, document: Document, unit: str, lang: str
    ) -> bytes | Future[bytes] | None:
        earlier = self.office_made.get((fmt, document.name, unit, lang))
        return earlier[1] if earlier is not None and earlier[0] == document else None

    def document(
        self, page: Page, document: Document, fmt: str, documents: list[Document]
    ) -> bytes | None:
        names = [f"{document.name}.{fmt}.j2", f"document.{fmt}.j2"]
        variables = {"doc": document, "documents": documents, **_context_vars(page)}
        return self.template(names, variables)

    def index(
        self, page: Page, documents: list[Document], fmt: str, formats: list[str]
    ) -> bytes | None:
        items = [
            {"name": d.name, "title": d.title, "formats": [f for f in formats if f in d.formats]}
            for d in documents
        ]
        return self.template([f"index.{fmt}.j2"], {"documents": items, **_context_vars(page)})

    def template(self, names: list[str], variables: dict[str, Any]) -> bytes | None:
        self.env.renew_budget()
        try:
            with time_bound(TEMPLATE_SECONDS):
                text = self.env.select_template(names).render(**variables)
        except Exception as exc:  # noqa: BLE001 - a register's template may fail any way at all
            # (1/0, recursion, a helper given the wrong thing): each is the template's problem,
            # reported at its line, never a crash of the tool.
            self.result.problems.append(_template_problem(exc, self.root or Path.cwd()))
            return None
        return self.convert(text).encode("utf-8")


@dataclass
class Folder:
    """One audience's files, started document by document: each document's office files go to
    the workers as soon as it is added (the first of a large register's are under way while its
    last are built); finish() renders the Markdown and HTML of them all."""

    renderer: Renderer
    page: Page
    formats: list[str]
    progress: Callable[[str], None] | None = None
    made: Callable[[str, bytes | Future[bytes]], None] | None = None
    """Called with each file as soon as it is made (or started, in the workers), instead of
    keeping it for finish() to return."""
    documents: list[Document] = field(default_factory=list)
    files: dict[str, bytes | Future[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.unit = self.renderer.convert(self.page.unit["name"])  # as the office files name it

    def add(self, document: Document) -> None:
        convert = self.renderer.convert
        if convert is not no_conversion:  # simplified: nothing to convert, nothing to copy
            document = convert_document(document, convert)
        self.documents.append(document)
        wanted = [
            (fmt, document)
            for fmt in self.formats
            if fmt in document.formats and fmt in OFFICE_FORMATS
        ]
        page, progress = self.page, self.progress
        announce = (lambda name: progress(f"{page.audience}/{name}")) if progress else None
        made = self.renderer.office_files(wanted, self.unit, page.lang, announce)
        for (fmt, _), file in zip(wanted, made, strict=True):
            self._file(f"{document.name}.{fmt}", file)

    def finish(self) -> dict[str, bytes | Future[bytes]]:
        page, documents, renderer = self.page, self.documents, self.renderer
        for document in documents:
            if self.progress:
                self.progress(f"{page.audience}/{document.name}")
            for fmt in self.formats:
                if fmt in document.formats and fmt not in OFFICE_FORMATS:
                    data = renderer.document(page, document, fmt, documents)
                    if data is not None:
                        self._file(f"{document.name}.{fmt}", data)
        for fmt in ("md", "html"):
            if fmt in self.formats:
                data = renderer.index(page, documents, fmt, self.formats)
                if data is not None:
                    self._file(f"index.{fmt}", data)
        return self.files

    def _file(self, name: str, file: bytes | Future[bytes]) -> None:
        if self.made is not None:  # handed on, not kept (a large register's run makes 900 MB)
            self.made(name, file)
        else:
            self.files[name] = file


OFFICE_FORMATS = ("xlsx", "docx")


def render_office(fmt: str, document: Document, unit: str, lang: str) -> bytes:
    """An XLSX or DOCX file: a pure function of the document (so it can run in a worker)."""
    if fmt == "xlsx":
        from lianneng.publish.formats.xlsx import render_xlsx

        return render_xlsx(document, unit=unit, lang=lang)
    from lianneng.publish.formats.docx import render_docx

    return render_docx(document, unit=unit, lang=lang)


def _start_office_worker() -> None:
    # This process goes on with the register's other documents, the longest path of
    # publishing it: the workers take what time it leaves, rather than a share of its core.
    if hasattr(os, "nice"):
        os.nice(10)
    # What the worker has imported, put out of the collector's sight; the collector itself is
    # run by each job, once (see render_sent).
    import lianneng.publish.formats.docx
    import lianneng.publish.formats.xlsx  # noqa: F401

    gc.disable()
    gc.freeze()


def _pickled(document: Document) -> bytes:
    """A document as sent to the workers: pickled without pickle's memo (Pickler.fast), which
    notes each of a large document's million strings so that one met again is written once. The
    memo takes two thirds of the time of pickling a table and saves a tenth of its bytes, and
    this process's time is the longest path of publishing. (A document is blocks of tuples and
    strings, with no cycle that the memo would also be needed for.)"""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(document)
    return out.getvalue()


def render_sent(fmt: str, sent: bytes, unit: str, lang: str) -> bytes:
    """A worker's job: render_office of a document sent pickled. A large document is millions
    of objects, none in a cycle, read and rendered with the collector paused: it would walk
    them over and over (a quarter of the workers' time at 100k risk points). What the render
    leaves in cycles (openpyxl's workbooks refer to their sheets and back) is collected once
    the document is gone."""
    try:
        return render_office(fmt, pickle.loads(sent), unit, lang)
    finally:
        gc.collect()


class OfficeWorkers:
    """Worker processes rendering the XLSX and DOCX files of a large register while this
    process renders the Markdown and HTML: most of publishing it, and each file a pure function
    of its document. The files are the same bytes as rendered here.

    The workers are started afresh (spawn), not forked: a forked worker shares this process's
    memory page by page, and every page either side then writes (a reference count is a write)
    is copied, which cost this process more time than sending each document does (at 100k risk
    points about 7 s of copying, against under 2 s of pickling the documents).

    Files wait here, not in the pool's queue, and a worker that is free takes the largest file
    waiting (this process too, once it has made everything else: see collect). Taken in the
    order their documents are built, a large register's biggest files (the second audience's
    ledger) were started last and finished long after the rest."""

    # Below this many records the files are small and starting workers costs more than it saves.
    MIN_RECORDS = 1500
    # Whether this process renders the files the workers have not started when it is done.
    take_over = True

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.jobs: dict[Future[bytes], tuple[str, Document, str, str]] = {}
        # (minus its size, its number, its file, the document pickled) of each file waiting
        self._waiting: list[tuple[int, int, Future[bytes], bytes]] = []
        self._running = 0
        self._closed = False
        self._lock = threading.Lock()

    @classmethod
    def for_register(cls, records: int, formats: list[str]) -> OfficeWorkers | None:
        workers = current_speed().workers
        wanted = any(fmt in OFFICE_FORMATS for fmt in formats)
        if workers < 2 or records < cls.MIN_RECORDS or not wanted:
            return None
        return cls(workers)

    def render(self, jobs: list[tuple[str, Document, str, str]]) -> list[Future[bytes]]:
        """Render office files (format, document, unit, language) in the workers, each
        document sent to them; a free worker starts on the largest at once."""
        if not jobs:
            return []
        sent: dict[int, bytes] = {}  # each document pickled once, for both of its formats
        files: list[Future[bytes]] = []
        with self._lock:
            for job in jobs:
                document = job[1]
                if id(document) not in sent:
                    sent[id(document)] = _pickled(document)
                file = Future[bytes]()
                self.jobs[file] = job
                # A document's size stands for its work; a DOCX takes about half an XLSX's.
                size = len(sent[id(document)]) // (2 if job[0] == "docx" else 1)
                heapq.heappush(self._waiting, (-size, len(self.jobs), file, sent[id(document)]))
                files.append(file)
        self._start_waiting()
        return files

    def _start_waiting(self) -> None:
        """Give each free worker the largest file waiting."""
        while True:
            with self._lock:
                if self._closed or self._running >= self.workers:
                    return
                taken = self._take()
                if taken is None:
                    return
                self._running += 1
            file, sent = taken
            fmt, _, unit, lang = self.jobs[file]
            try:
                made = self._pool().submit(render_sent, fmt, sent, unit, lang)
            except RuntimeError as exc:  # the pool was shut down meanwhile: the run is ending
                file.set_exception(exc)
                return
            made.add_done_callback(functools.partial(self._made, file))

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:  # (only this process starts files before the last one waits)
            import multiprocessing

            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_office_worker,
            )
        return self.pool

    def _take(self) -> tuple[Future[bytes], bytes] | None:
        """The largest file waiting, now started (one cancelled is passed by)."""
        while self._waiting:
            _, _, file, sent = heapq.heappop(self._waiting)
            if file.set_running_or_notify_cancel():
                return file, sent
        return None

    def _made(self, file: Future[bytes], made: Future[bytes]) -> None:
        # (Called in the pool's own thread, as each file is done.)
        with self._lock:
            self._running -= 1
        if made.cancelled():
            file.set_exception(RuntimeError("the office workers were stopped"))
        elif (error := made.exception()) is not None:
            file.set_exception(error)
        else:
            file.set_result(made.result())
        self._start_waiting()

    def collect(self, files: Mapping[K, bytes | Future[bytes]]) -> dict[K, bytes]:
        """Every file's bytes. Files no worker has started yet are rendered here instead, the
        largest first: once this process has made everything else, the files waiting are all
        that is left of publishing, and this is a third core's worth of hands for them."""
        while self.take_over:
            with self._lock:
                taken = self._take()
            if taken is None:
                break
            file, _ = taken
            try:
                file.set_result(render_office(*self.jobs[file]))
            except Exception as exc:  # noqa: BLE001 - raised below, as a worker's would be
                file.set_exception(exc)
        return {
            name: file if isinstance(file, bytes) else file.result() for name, file in files.items()
        }

    def close(self) -> None:
        with self._lock:
            self._closed = True
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _selected_documents(checked: Checked) -> list[str]:
    config = checked.register.config
    core = [name for name, spec in DOCUMENTS.items() if spec.core]
    unknown = [name for name in config.forms if name not in DOCUMENTS]
    if unknown:
        raise UsageError(
            f"lianneng.yaml forms: 未知的文件 {', '.join(unknown)} / unknown documents; "
            f"可选 / known: {', '.join(DOCUMENTS)}"
        )
    return core + [name for name in config.forms if name not in core]


def _context_vars(page: Page) -> dict[str, Any]:
    unit = page.unit
    period = f"{label('word.period', page.lang)} {unit['period']}" if unit.get("period") else ""
    meta = " · ".join(filter(None, (unit["name"], page.audience_label, period)))
    return {
        "unit": unit,
        "meta": meta,
        "lang": page.lang,
        "audience": page.audience,
        "audience_label": page.audience_label,
        "t": lambda key: label(key, page.lang),
    }


def _template_problem(exc: BaseException, root: Path) -> Problem:
    """A template's failure as a located problem: the template file and line where it happened."""
    filename: str | None = getattr(exc, "filename", None)
    line = 1
    if isinstance(exc, TemplateSyntaxError):
        line = exc.lineno or 1
        if filename is None and exc.name:  # the lexer knows only the template's name
            filename = _template_file(exc.name, root)
    else:
        for frame_file, frame_line in _template_frames(exc):
            filename, line = frame_file, frame_line
    path = str(filename or "templates")
    for shown, base in (
        (Path(path).absolute(), root.absolute()),
        (Path(path).resolve(), root.resolve()),
    ):
        try:  # the path as the register names it (a link's own name), else where it leads
            path = shown.relative_to(base).as_posix()
            break
        except (ValueError, OSError):
            continue
    detail = getattr(exc, "message", None) if isinstance(exc, TemplateError) else None
    if not detail:
        text = str(exc)[:200]
        detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return Problem(path, line, 1, Severity.ERROR, "T001", msg("T001", detail=str(detail)))


def _template_file(name: str, root: Path) -> str:
    own = root / "templates" / name
    return str(own if own.exists() else BUILTIN_TEMPLATES / name)


def _template_frames(exc: BaseException) -> Iterator[tuple[str, int]]:
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            yield filename, tb.tb_lineno
        tb = tb.tb_next


def write_outputs(
    out: Path, staged: StagedFiles, result: Published, in_scope: Callable[[str], bool]
) -> None:
    """Put the staged files in place; remove what this run should have produced but no longer
    does."""
    record = out / RECORD_FILE
    previous: list[str] = []
    if record.is_file():
        try:
            previous = json.loads(record.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            previous = []
    produced = {p.relative_to(out).as_posix() for p in [*staged.written, *staged.unchanged]}
    result.unchanged += len(staged.unchanged)
    result.written += staged.commit()
    remove_left_behind(out / rel for rel in produced)
    kept = set()
    for rel in previous:
        if rel in produced or not isinstance(rel, str) or ".." in Path(rel).parts:
            continue
        if not in_scope(rel):
            kept.add(rel)  # another audience or format: this run did not rebuild it
            continue
        stale = out / rel
        if stale.is_file():
            stale.unlink()
            result.removed.append(stale)
    listing = sorted(produced | kept)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(record, json.dumps(listing, ensure_ascii=False, indent=1) + "\n")


def stage_all(files: dict[Path, bytes]) -> StagedFiles:
    """Every file staged, two at a time (see Staging)."""
    staging = Staging()
    try:
        for path, data in files.items():
            staging.put(path, data)
        return staging.finish({})
    except BaseException:
        staging.discard()
        raise


__all__ = ["FORMATS", "Body", "Published", "publish"]
