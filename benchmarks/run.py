"""`make bench`: timings of the main commands on generated registers, as ratios to a libyaml
parse of the same files measured in the same run. Prints a Markdown table for the README."""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from generate import generate

LIANNENG = str(Path(sys.executable).parent / "lianneng")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - started


def libyaml_parse(root: Path) -> float:
    started = time.perf_counter()
    for path in root.rglob("*.yaml"):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, python "
          f"{platform.python_version()}, cores: {__import__('os').cpu_count()}\n")
    print("| risk points | libyaml parse | validate | grade --check | grade --write (no change) "
          "| publish (all formats) | --help |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    help_time = timed([LIANNENG, "--help"])
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "register"
            generate(root, size)
            base = libyaml_parse(root)
            validate = timed([LIANNENG, "validate", str(root), "-f", "parsable"])
            check = timed([LIANNENG, "grade", str(root), "--check", "-f", "parsable"])
            write = timed([LIANNENG, "grade", str(root), "--write"])
            publish = timed([LIANNENG, "publish", str(root), "--out", str(Path(folder) / "site"),
                             "--quiet"])
            cells = [f"{t:.1f} s ({t / base:.1f}×)" for t in (validate, check, write, publish)]
            print(f"| {size:,} | {base:.2f} s | " + " | ".join(cells) + f" | {help_time:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
