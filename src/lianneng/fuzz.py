"""Mutation fuzzing of a register's input path: `python -m lianneng.fuzz --cases N`.

Each case takes a file of an example register, breaks it in one of the ways people and tools
break files, and checks the register again. The property: the check ends with located problems
(exit 0, 1 or 2), never an exception. Every failing case is saved for `tests/data/invalid/`.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from lianneng.errors import LiannengError
from lianneng.pipeline import check_register

Mutation = Callable[[random.Random, bytes], bytes]


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


def run(example: Path, cases: int, seed: int, save: Path | None, quiet: bool = False) -> int:
    rng = random.Random(seed)
    failures = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lianneng-fuzz-") as folder:
        work = Path(folder) / "register"
        shutil.copytree(example, work)
        files = sorted(p for p in work.rglob("*") if p.is_file() and p.suffix in (".yaml", ".md"))
        originals = {p: p.read_bytes() for p in files}
        for case in range(cases):
            target = rng.choice(files)
            data = originals[target]
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                data = rng.choice(MUTATIONS)(rng, data)
            target.write_bytes(data)
            try:
                check_register(work)
            except LiannengError:
                pass  # a located configuration problem (exit 2): allowed
            except Exception:  # noqa: BLE001 - this is what the fuzzer looks for
                failures += 1
                if not quiet:
                    print(
                        f"case {case}: {target.relative_to(work)}\n{traceback.format_exc()}",
                        file=sys.stderr,
                    )
                if save is not None:
                    folder_out = save / f"fuzz-{seed}-{case}"
                    shutil.copytree(work, folder_out / "register", dirs_exist_ok=True)
            finally:
                target.write_bytes(originals[target])
    elapsed = time.monotonic() - started
    if not quiet:
        print(f"{cases} cases, {failures} failures, {elapsed:.0f} s (seed {seed}, {example.name})")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lianneng.fuzz")
    parser.add_argument("--example", type=Path, default=Path("examples/zhijianju"))
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--save", type=Path, default=None, help="folder to copy each failing register into"
    )
    args = parser.parse_args(argv)
    return 1 if run(args.example, args.cases, args.seed, args.save) else 0


if __name__ == "__main__":
    sys.exit(main())
