"""A realistic register of N risk points, one record per file, for benchmarks.

Every kind of record: departments, posts, people, power items with flows (steps listing their
risk points), risk points with two controls each, controls filed on their own, rules and
commitments as Markdown, signals and warnings. Chinese text, valid references, and levels as the
built-in three-level policy gives them, so `grade --write` has nothing to change. With
`problems=True` (the benchmark's validate runs) about one file in 500 carries a deliberate problem (an
unknown field, a dangling reference, a missing field), as a real register under edit does.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

WORDS = "审核审批受理核查执法处罚许可采购验收报销资金人事考察监督检查廉政风险防控岗位职责流程制度".replace(
    "", " "
).split()
LIKELIHOOD = ["高", "较高", "较小"]
IMPACT = ["严重", "较重", "一般"]
CATEGORIES = ["思想道德", "岗位职责", "业务流程", "制度机制", "外部环境", "工作效率"]


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


def level(likelihood: str, impact: str) -> str:
    rank = min(LIKELIHOOD.index(likelihood), IMPACT.index(impact))
    return ["一级", "二级", "三级"][rank]


def generate(root: Path, count: int, seed: int = 1, *, problems: bool = False) -> None:
    rng = random.Random(seed)
    departments = max(3, count // 200)
    powers = max(3, count // 10)
    for folder in (
        "departments",
        "posts",
        "people",
        "powers",
        "flows",
        "risks",
        "controls",
        "rules",
        "commitments",
        "signals",
        "warnings",
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "lianneng.yaml").write_text(
        'unit:\n  name: 基准测试局\n  code: BENCH\nperiod: "2026"\npolicy: builtin:three-levels\n',
        encoding="utf-8",
    )
    posts = ["- id: P-JZ\n  name: 局长\n  leader: true\n  roles: [主要领导]\n"]
    for d in range(departments):
        (root / "departments" / f"D-{d:04d}.yaml").write_text(
            f"id: D-{d:04d}\nname: {text(rng, 2)}科{d}\nhead: P-{d:04d}-H\n", encoding="utf-8"
        )
        posts.append(
            f"- id: P-{d:04d}-H\n  name: 科长{d}\n  department: D-{d:04d}\n  roles: [部门负责人]\n"
        )
        posts.append(f"- id: P-{d:04d}-S\n  name: 经办岗{d}\n  department: D-{d:04d}\n")
    (root / "posts" / "posts.yaml").write_text("".join(posts), encoding="utf-8")
    risks_of_power: dict[int, list[str]] = {p: [] for p in range(powers)}
    for r in range(count):
        risks_of_power[r % powers].append(f"RP-{r:06d}")
    for p in range(powers):
        d = p % departments
        (root / "powers" / f"QL-{p:05d}.yaml").write_text(
            f"id: QL-{p:05d}\nname: {text(rng, 6)}\ncategory: 行政许可\nbasis: 《{text(rng, 4)}法》\n"
            f"department: D-{d:04d}\nposts: [P-{d:04d}-S]\n",
            encoding="utf-8",
        )
        listed = ", ".join(risks_of_power[p])
        (root / "flows" / f"F-{p:05d}.yaml").write_text(
            f"id: F-{p:05d}\npower: QL-{p:05d}\nname: {text(rng, 4)}流程\nsteps:\n"
            f"  - id: 受理\n    name: 受理\n    post: P-{d:04d}-S\n    risks: [{listed}]\n"
            f"  - id: 决定\n    name: 决定\n    post: P-{d:04d}-H\n",
            encoding="utf-8",
        )
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
            f"    type: 监督检查\n    owner: P-{d:04d}-H\n",
            encoding="utf-8",
        )
    _documents(root, rng, count, departments)
    if problems:
        _break_some(root, rng, count)


def _documents(root: Path, rng: random.Random, count: int, departments: int) -> None:
    """People, controls filed on their own, rules, commitments, signals and warnings."""
    people = [f"- id: RY-{d:04d}\n  name: 某{d}\n  post: P-{d:04d}-S\n" for d in range(departments)]
    (root / "people" / "people.yaml").write_text("".join(people), encoding="utf-8")
    for n in range(max(1, count // 50)):
        risks = ", ".join(f"RP-{rng.randrange(count):06d}" for _ in range(3))
        d = n % departments
        (root / "controls" / f"C-JD-{n:05d}.yaml").write_text(
            f"id: C-JD-{n:05d}\ndescription: {text(rng, 24)}\ntype: 科技监控\ntiming: 事中\n"
            f"owner: P-{d:04d}-H\ndepartment: D-{d:04d}\nrisks: [{risks}]\n",
            encoding="utf-8",
        )
    for n in range(max(1, count // 100)):
        risk = f"RP-{rng.randrange(count):06d}"
        (root / "rules" / f"R-{n:05d}.md").write_text(
            f"---\nid: R-{n:05d}\ntitle: {text(rng, 6)}管理办法\nstatus: 现行\nrisks: [{risk}]\n---\n"
            f"# {text(rng, 6)}管理办法\n\n## 第一章 总则\n\n为防范 [[{risk}]] 所列风险,"
            f"{text(rng, 40)}。\n\n## 第二章 职责\n\n{text(rng, 60)}。\n",
            encoding="utf-8",
        )
    for d in range(departments):
        (root / "commitments" / f"CM-{d:04d}.md").write_text(
            f"---\nid: CM-{d:04d}\ntitle: 廉政风险防范承诺书\nscope: 科室\ndepartment: D-{d:04d}\n"
            f"---\n# 廉政风险防范承诺书\n\n## 承诺内容\n\n{text(rng, 50)}。\n\n## 签名\n\n"
            f"科室(盖章)\n",
            encoding="utf-8",
        )
    signals, warnings = [], []
    for n in range(max(1, count // 500)):
        d = n % departments
        signals.append(
            f"- id: S-{n:05d}\n  target: P-{d:04d}-S\n  type: 信访举报\n"
            f"  date: 2026-03-18\n  verified: true\n  source: 来信\n"
            f"  summary: {text(rng, 20)}\n"
        )
        warnings.append(
            f"- id: W-{n:05d}\n  target: P-{d:04d}-S\n  signals: [S-{n:05d}]\n"
            f"  level: 提醒\n  action: 提醒谈话\n  issued: 2026-03-25\n"
            f"  deadline: 2026-04-25\n  status: 已关闭\n  closed: 2026-04-20\n"
        )
    (root / "signals" / "signals.yaml").write_text("".join(signals), encoding="utf-8")
    (root / "warnings" / "warnings.yaml").write_text("".join(warnings), encoding="utf-8")


def _break_some(root: Path, rng: random.Random, count: int) -> None:
    """One risk point file in 500 gets a problem validate must find and locate."""
    for n, r in enumerate(rng.sample(range(count), max(1, count // 500))):
        path = root / "risks" / f"RP-{r:06d}.yaml"
        text_ = path.read_text(encoding="utf-8")
        if n % 3 == 0:
            text_ = text_.replace("\ncauses:", "\ncause:", 1)  # unknown field (did you mean)
        elif n % 3 == 1:
            text_ = text_.replace("\nsupervisor: P-JZ", "\nsupervisor: P-JX", 1)  # dangling
        else:
            text_ = re.sub(r"\ntitle: [^\n]*", "\ntitle:", text_, count=1)  # required, left empty
        path.write_text(text_, encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--problems", action="store_true", help="seed deliberate problems")
    args = parser.parse_args()
    generate(args.out, args.count, problems=args.problems)
