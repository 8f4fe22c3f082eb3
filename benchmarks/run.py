"""`make bench`: timings of the main commands on generated registers, each as a ratio to a
libyaml parse of the same files measured in the same run. Prints a Markdown table for the README.

Columns: the libyaml parse (PyYAML's C loader over every YAML file and front matter); `validate`
cold (no cache yet) and warm (nothing changed), and after one file is edited, on the register
with its deliberate problems; then, those repaired, `grade --check` cold (cache emptied),
`grade --write` with nothing to change and `publish` of every document for every audience in
every format (these two find the parse results cached, as after a validate in CI); the peak
memory of the cold validate; `check-jsonschema` over the same YAML files against the exported
JSON Schemas (schema checks only: no references, completeness or policy). `lianneng --help` is
the best of five runs; below 100,000 risk points the parse, validate and grade timings are the
best of three.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from generate import generate

BIN = Path(sys.executable).parent
LIANNENG = str(BIN / "lianneng")
CHECK_JSONSCHEMA = BIN / "check-jsonschema"


def timed(command: list[str], limit: float | None = None) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one command; inf if it ran past `limit`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pid, _status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = 0  # reaped here: Popen must not wait for it again
            return time.perf_counter() - started, usage.ru_maxrss
        if limit is not None and time.perf_counter() - started > limit:
            process.kill()
            process.wait()
            return float("inf"), 0
        time.sleep(0.01)


def libyaml_parse(root: Path) -> float:
    started = time.perf_counter()
    for path in sorted(root.rglob("*")):
        if path.suffix == ".yaml":
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            yaml.load(text.split("---\n", 2)[1], Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def check_jsonschema(root: Path, schemas: Path) -> float | None:
    """check-jsonschema over every YAML record file, one call per kind folder (in batches, as
    a command line can hold only so many names)."""
    if not CHECK_JSONSCHEMA.exists():
        return None
    started = time.perf_counter()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        schema = schemas / f"{_kind_of(folder.name)}.schema.json"
        files = sorted(str(p) for p in folder.glob("*.yaml"))
        if not schema.exists() or not files:
            continue
        for start in range(0, len(files), 4000):
            subprocess.run(
                [str(CHECK_JSONSCHEMA), "--schemafile", str(schema), *files[start : start + 4000]],
                capture_output=True,
                check=False,
            )
    return time.perf_counter() - started


def _cell(seconds: float, base: float) -> str:
    if seconds == float("inf"):
        return "stopped (over the limit)"
    return f"{seconds:.2f} s ({seconds / base:.2f}×)"


def _kind_of(folder: str) -> str:
    return {"people": "person", "powers": "power", "policies": "policy"}.get(
        folder, folder.rstrip("s")
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument(
        "--publish-limit", type=float, default=1800, help="seconds before publish is stopped"
    )
    parser.add_argument(
        "--jsonschema-up-to",
        type=int,
        default=None,
        help="run check-jsonschema only up to this many risk points (it takes some 20 minutes "
        "at 100,000)",
    )
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(
        f"{time.strftime('%Y-%m-%d')}, {platform.system()} {platform.machine()} ({cpu}), "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(
        "| risk points (files) | libyaml parse | validate cold | validate warm "
        "| validate, one file edited | grade --check | grade --write (no change) "
        "| publish (all formats) | peak memory (validate) | check-jsonschema |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    help_time = min(timed([LIANNENG, "--help"])[0] for _ in range(5))
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "register"
            generate(root, size, problems=True)
            files = sum(1 for p in root.rglob("*") if p.is_file())
            # Below 100,000 the best of three runs: a shared machine's speed wanders by more
            # than a small register takes.
            repeats = 3 if size < 100_000 else 1
            base = min(libyaml_parse(root) for _ in range(repeats))
            validate = [LIANNENG, "validate", str(root), "-f", "parsable"]
            cache = root / ".lianneng-cache"
            cold, memory = min(
                (shutil.rmtree(cache, ignore_errors=True), timed(validate))[1]
                for _ in range(repeats)
            )
            warm = min(timed(validate)[0] for _ in range(repeats))
            edited = root / "risks" / "RP-000003.yaml"
            edited.write_text(edited.read_text(encoding="utf-8") + "notes: 改\n", encoding="utf-8")
            one, _ = timed(validate)
            generate(
                root, size
            )  # the deliberate problems repaired: publish refuses a register with errors
            grade_check = [LIANNENG, "grade", str(root), "--check", "-f", "parsable"]
            check = min(
                (shutil.rmtree(cache, ignore_errors=True), timed(grade_check))[1][0]
                for _ in range(repeats)
            )
            write = min(timed([LIANNENG, "grade", str(root), "--write"])[0] for _ in range(repeats))
            publish, _ = timed(
                [LIANNENG, "publish", str(root), "--out", str(Path(folder) / "site"), "--quiet"],
                limit=args.publish_limit,
            )
            schemas = Path(folder) / "schemas"
            subprocess.run([LIANNENG, "schema", "--out", str(schemas)], capture_output=True)
            wanted = args.jsonschema_up_to is None or size <= args.jsonschema_up_to
            jsonschema = check_jsonschema(root, schemas) if wanted else None
            cells = [
                f"{t:.2f} s ({t / base:.2f}×)" for t in (cold, warm, one, check, write, publish)
            ]
            other = f"{jsonschema:.1f} s ({jsonschema / base:.1f}×)" if jsonschema else "—"
            print(
                f"| {size:,} ({files:,}) | {base:.2f} s | "
                + " | ".join(cells)
                + f" | {memory / 1024:.0f} MiB | {other} |",
                flush=True,
            )
    print(f"\n`lianneng --help`: {help_time * 1000:.0f} ms (best of 5).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
