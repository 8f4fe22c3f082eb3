"""A grading policy as data (`policy/*.yaml`): its labels, its method, what follows from a level.

The models only say what a policy may contain; whether it makes sense (every grid cell present,
scales in order, every level reachable) is checked by each method's `check`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from lianneng.model.fields import Strict, Text, public

Condition = dict[str, str | list[str]]
"""Field → value (or any of a list). A list-valued field matches if it contains any value."""


class Rule(Strict):
    when: Condition = public("条件:字段 → 取值(或取值列表,满足其一)。全部条件满足时适用", {})
    level: Text = public("适用的等级")
    because: str | None = public("依据说明(显示在评级理由中)", None)


class Axis(Strict):
    field: Text = public("取值所在的字段,如 likelihood、impact")
    scale: list[Text] = public("刻度,从高到低排列", min_length=1)


class GridMethod(Strict):
    rows: Axis = public("行:通常为发生机率")
    columns: Axis = public("列:通常为危害程度")
    higher_wins: bool = public("按“取高者”自动生成方格:刻度与等级一一对应", False)
    cells: dict[str, dict[str, str]] = public("方格:行刻度 → 列刻度 → 等级", {})


class RulesMethod(Strict):
    rules: list[Rule] = public("按顺序匹配的规则,先匹配者生效", min_length=1)
    default: str | None = public("没有规则匹配时的等级", None)


class Threshold(Strict):
    min: float = public("分值下限(含)")
    level: Text = public("达到下限时的等级")


class ScoreMethod(Strict):
    factors: dict[str, dict[str, float]] = public(
        "因子:名称(字段名或 scores 中的键)→ 刻度取值 → 分值", min_length=1
    )
    combine: Literal["product", "sum"] = public(
        "合成方式:product 相乘(L×C=D)或 sum 相加", "product"
    )
    thresholds: list[Threshold] = public("阈值,从高到低", min_length=1)


class Count(Strict):
    min: int = public("满足条目数下限(含)")
    level: Text = public("等级")


class CriteriaMethod(Strict):
    items: dict[str, str] = public("评级标准条目:编号 → 说明", min_length=1)
    counts: list[Count] = public("满足条目数 → 等级,从高到低", min_length=1)
    default: str | None = public("一条都不满足时的等级", None)


class WholeMethod(Strict):
    """Grading a post, a department or the unit as a whole."""

    method: Literal["count", "highest", "rules"] = public(
        "count 按风险点数量;highest 取其风险点的最高等级;rules 按规则"
    )
    counts: list[Count] = public("风险点数量 → 等级,从高到低(count 方法)", [])
    force: list[Rule] = public("强制条件:满足即为该等级(先于其他判断)", [])
    rules: list[Rule] = public("规则(rules 方法),可用字段见说明", [])
    default: str | None = public("无风险点或无规则匹配时的等级", None)


class LevelConsequence(Strict):
    supervisors: list[str] = public(
        "监督责任岗位须具有的角色之一,如 主要领导、纪检监察、分管领导", []
    )
    review_months: int | None = public("复核周期(月)", None)
    min_controls: int = public("至少需要的防控措施数", 1)
    file_controls_with: str | None = public("防控措施报送备案的机构,如 局党组", None)


class YellowCard(Strict):
    """Seed 000: two verified complaints, or a bottom-three democratic rating → 廉能风险黄牌警告."""

    complaints: int = public("查实的信访举报达到此数即黄牌", 2)
    complaint_types: list[str] = public("计为举报的线索类型", ["信访举报"])
    bottom: int = public("民主测评排在后几位即黄牌", 3)
    rating_types: list[str] = public("计为民主测评的线索类型", ["民主测评"])


class Deduction(Strict):
    fact: Literal[
        "open_warnings",
        "overdue_warnings",
        "overdue_reviews",
        "uncontrolled_risks",
        "controls_not_done",
        "verified_complaints",
        "yellow_cards",
    ] = public(
        "扣分依据的事实:open_warnings 未关闭预警、overdue_warnings 逾期预警、"
        "overdue_reviews 逾期复核、uncontrolled_risks 无措施风险点、controls_not_done 未落实措施、"
        "verified_complaints 查实举报、"
        "yellow_cards 黄牌"
    )
    points: float = public("每项扣分")


class AssessmentItem(Strict):
    name: Text = public("考核项目")
    points: float = public("满分")
    deductions: list[Deduction] = public("扣分规则", [])


class PolicyTest(Strict):
    name: Text = public("测试名称")
    input: dict[str, Any] = public("风险点字段取值")
    expect: Text = public("期望的等级")


class Policy(Strict):
    id: Text = public("评级办法编号")
    name: Text = public("评级办法名称")
    version: str = public("版本", "1")
    source: str | None = public("出处(文件、方案)", None)
    labels: list[Text] = public("等级标签,从高到低,如 [一级, 二级, 三级]", min_length=1)
    method: Literal["grid", "rules", "score", "criteria"] = public("评级方法")
    grid: GridMethod | None = public("矩阵法设置(method: grid)", None)
    rules: RulesMethod | None = public("规则法设置(method: rules)", None)
    score: ScoreMethod | None = public("计分法设置(method: score)", None)
    criteria: CriteriaMethod | None = public("标准计数法设置(method: criteria)", None)
    levels: dict[str, LevelConsequence] = public("各等级的要求:监督、复核周期、措施数、备案", {})
    wholes: dict[Literal["post", "department", "unit"], WholeMethod] = public(
        "岗位、部门、单位整体评级", {}
    )
    tests: list[PolicyTest] = public("测试用例:输入 → 期望等级", [])
    yellow_card: YellowCard | None = public("黄牌警告规则(不写则不评黄牌)", None)
    assessment: list[AssessmentItem] = public("考核评分表:每个部门按登记册中的事实扣分", [])

    @model_validator(mode="after")
    def _method_settings_present(self) -> Policy:
        if getattr(self, self.method) is None:
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError(
                "ln_method_settings",
                "method {method} needs a '{method}:' section",
                {"method": self.method},
            )
        return self

    def rank(self, label: str) -> int:
        """0 for the highest level; larger is lower."""
        return self.labels.index(label)


PolicyRef = Annotated[str, Field(pattern=r"^(builtin:[\w-]+|[^\s].*\.ya?ml)$")]
