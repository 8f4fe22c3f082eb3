"""A realistic register of N risk points, one record per file, for benchmarks.

Departments, posts, power items with flows (steps listing their risk points), risk points with
two controls each, Chinese text, valid references, and levels as the built-in three-level policy
gives them, so `validate` and `grade --check` are clean.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = "审核审批受理核查执法处罚许可采购验收报销资金人事考察监督检查廉政风险防控岗位职责流程制度".replace("", " ").split()
LIKELIHOOD = ["高", "较高", "较小"]
IMPACT = ["严重", "较重", "一般"]
CATEGORIES = ["思想道德", "岗位职责", "业务流程", "制度机制", "外部环境", "工作效率"]


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


def level(likelihood: str, impact: str) -> str:
    rank = min(LIKELIHOOD.index(likelihood), IMPACT.index(impact))
    return ["一级", "二级", "三级"][rank]


def generate(root: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    departments = max(3, count // 200)
    powers = max(3, count // 10)
    for folder in ("departments", "posts", "powers", "flows", "risks"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "lianneng.yaml").write_text(
        "unit:\n  name: 基准测试局\n  code: BENCH\nperiod: \"2026\"\npolicy: builtin:three-levels\n",
        encoding="utf-8")
    posts = ["- id: P-JZ\n  name: 局长\n  leader: true\n  roles: [主要领导]\n"]
    for d in range(departments):
        (root / "departments" / f"D-{d:04d}.yaml").write_text(
            f"id: D-{d:04d}\nname: {text(rng, 2)}科{d}\nhead: P-{d:04d}-H\n", encoding="utf-8")
        posts.append(f"- id: P-{d:04d}-H\n  name: 科长{d}\n  department: D-{d:04d}\n"
                     f"  roles: [部门负责人]\n")
        posts.append(f"- id: P-{d:04d}-S\n  name: 经办岗{d}\n  department: D-{d:04d}\n")
    (root / "posts" / "posts.yaml").write_text("".join(posts), encoding="utf-8")
    risks_of_power: dict[int, list[str]] = {p: [] for p in range(powers)}
    for r in range(count):
        risks_of_power[r % powers].append(f"RP-{r:06d}")
    for p in range(powers):
        d = p % departments
        (root / "powers" / f"QL-{p:05d}.yaml").write_text(
            f"id: QL-{p:05d}\nname: {text(rng, 6)}\ncategory: 行政许可\nbasis: 《{text(rng, 4)}法》\n"
            f"department: D-{d:04d}\nposts: [P-{d:04d}-S]\n", encoding="utf-8")
        listed = ", ".join(risks_of_power[p])
        (root / "flows" / f"F-{p:05d}.yaml").write_text(
            f"id: F-{p:05d}\npower: QL-{p:05d}\nname: {text(rng, 4)}流程\nsteps:\n"
            f"  - id: 受理\n    name: 受理\n    post: P-{d:04d}-S\n    risks: [{listed}]\n"
            f"  - id: 决定\n    name: 决定\n    post: P-{d:04d}-H\n", encoding="utf-8")
    for r in range(count):
        p = r % powers
        d = p % departments
        like, imp = rng.choice(LIKELIHOOD), rng.choice(IMPACT)
        (root / "risks" / f"RP-{r:06d}.yaml").write_text(
            f"id: RP-{r:06d}\ntitle: {text(rng, 8)}\nmanifestation: {text(rng, 30)}\n"
            f"causes: {text(rng, 20)}\ncategory: {rng.choice(CATEGORIES)}\ndepartment: D-{d:04d}\n"
            f"posts: [P-{d:04d}-S]\npower: QL-{p:05d}\nstep: F-{p:05d}/受理\n"
            f"likelihood: {like}\nimpact: {imp}\nlevel: {level(like, imp)}\nsupervisor: P-JZ\n"
            f"controls:\n  - id: C-{r:06d}-1\n    description: {text(rng, 20)}\n"
            f"    type: 健全制度\n    owner: P-{d:04d}-H\n"
            f"  - id: C-{r:06d}-2\n    description: {text(rng, 20)}\n"
            f"    type: 监督检查\n    owner: P-{d:04d}-H\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    generate(args.out, args.count)
