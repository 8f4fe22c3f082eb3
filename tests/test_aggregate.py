"""The supervising body's view: verified packages combined, tampered ones refused by name."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import EXAMPLES
from test_filing import commit_all, git

from lianneng.model.risk import RiskPoint
from lianneng.pipeline import check_register

UNITS = ["zhijianju", "hedong-aic", "power-weight", "sineng"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lianneng.cli import main

    folder = tmp_path_factory.mktemp("packages")
    for name in UNITS:
        root = tmp_path_factory.mktemp(name) / name
        shutil.copytree(EXAMPLES / name, root)
        git(root, "init", "-q")
        commit_all(root, "备案")
        assert main(["package", str(root), "--out", str(folder / f"{name}.zip"), "--no-tag"]) == 0
    return folder


def table_rows(text: str, heading: str) -> dict[str, list[str]]:
    section = text.split(f"### {heading}", 1)[1].split("###", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def test_totals_equal_the_sum_of_the_units_own_statistics(
    packages: Path, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run(
        "aggregate",
        str(packages),
        "--out",
        str(out),
        "--today",
        "2026-06-01",
        "-f",
        "md",
        "-f",
        "xlsx",
    )
    assert result.code == 0, result.out
    own_levels: Counter[str] = Counter()
    own_categories: Counter[str] = Counter()
    for name in UNITS:
        checked = check_register(EXAMPLES / name)
        for risk in checked.register.of(RiskPoint):
            own_levels[checked.grades[risk.id].level or "—"] += 1
            own_categories[risk.category] += 1
    counts = (out / "counts.md").read_text(encoding="utf-8")
    assert {
        k: int(v[0]) for k, v in table_rows(counts, "按风险等级").items() if k != "项目"
    } == dict(own_levels)
    assert {
        k: int(v[0]) for k, v in table_rows(counts, "按风险类别").items() if k != "项目"
    } == dict(own_categories)
    overview = (out / "aggregate.md").read_text(encoding="utf-8")
    units = table_rows(overview, "各单位情况")
    assert int(units["合计"][2]) == sum(own_levels.values())
    assert (out / "aggregate.xlsx").is_file()


def test_a_tampered_package_is_refused_by_name(packages: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    shutil.copytree(packages, folder)
    bad = folder / "hedong-aic.zip"
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    result = run(
        "aggregate",
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "-f",
        "md",
        "--today",
        "2026-06-01",
    )
    assert result.code == 1
    assert re.search(r"hedong-aic\.zip: \S+", result.out)
    overview = (tmp_path / "out" / "aggregate.md").read_text(encoding="utf-8")
    assert "hedong-aic.zip" in overview and "某市工商行政管理局河东分局 |" not in overview
    assert "某市质量技术监督局" in overview


def test_many_packages_in_one_run(packages: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "province"
    folder.mkdir()
    source = (packages / "power-weight.zip").read_bytes()
    for n in range(60):
        (folder / f"unit-{n:03d}.zip").write_bytes(source)
    result = run(
        "aggregate",
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "-f",
        "md",
        "--today",
        "2026-06-01",
        "--lang",
        "en",
    )
    assert result.code == 0 and "60 packages verified" in result.out
    counts = (tmp_path / "out" / "counts.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 一级 \| 480 \|", counts, re.M)  # 8 一级 points × 60
