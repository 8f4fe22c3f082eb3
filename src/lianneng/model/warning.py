"""Signals, warnings and the actions taken on them (预警、处置). Internal or filing by nature."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.fields import Date, Flag, Strict, Text, filing, internal

TARGETS = "post|department|risk|person"


class Signal(Strict):
    """A signal written inside a warning."""

    type: Text = filing("线索类型:信访举报、审计、检查、电子监察、民主测评…", table="signal_types")
    date: Date | None = filing("发现日期", None)
    verified: Flag = filing("是否查实", False)
    source: str | None = internal("线索来源(举报人等),仅内部", None)
    summary: str | None = internal("线索摘要", None)


class SignalRecord(Record):
    """A signal on its own (信访举报、审计、检查、电子监察、民主测评): it may or may not lead to a
    warning; verified complaints and low democratic ratings count toward a yellow card."""

    KIND = "signal"
    LABEL_ZH, LABEL_EN, FOLDER = "线索", "signal", "signals"

    target: str = filing("线索指向(岗位、部门、风险点或人员编号)", ref=TARGETS)
    type: Text = filing("线索类型:信访举报、审计、检查、电子监察、民主测评…", table="signal_types")
    date: Date = filing("发现日期")
    verified: Flag = filing("是否查实", False)
    rank: int | None = filing("民主测评中的名次(1 为最好)", None)
    ranked: int | None = filing("参加民主测评的总数", None)
    source: str | None = internal("线索来源(举报人等),仅内部", None)
    summary: str | None = internal("线索摘要", None)


class Warning(Record):
    KIND = "warning"
    LABEL_ZH, LABEL_EN, FOLDER = "预警", "warning", "warnings"

    target: str = filing("预警对象(岗位、部门、风险点或人员编号)", ref=TARGETS)
    signal: Signal | None = filing("引发预警的线索(直接写出)", None)
    signals: list[str] = filing("引发预警的线索编号", [], ref="signal")
    level: str | None = filing("预警等级", None)
    action: str | None = filing(
        "处置方式:提醒谈话、谈话函询、警示诫勉、责令纠错、责令整改", None, table="warning_actions"
    )
    issued: Date | None = filing("发出日期", None)
    deadline: Date | None = filing("整改期限", None)
    status: str = filing(
        "状态:已发出、已关闭、已升级、已解除(布控)", "已发出", table="warning_statuses"
    )
    escalated_from: str | None = filing("由哪一项预警升级而来", None, ref="warning")
    closed: Date | None = filing("关闭日期", None)
    outcome: str | None = filing("处置结果", None)
    talk_record: str | None = internal("谈话记录,仅内部", None)
