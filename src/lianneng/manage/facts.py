"""Who a record belongs to: the department (and posts) a risk, control, signal or warning counts
for."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.control import Control
from lianneng.model.org import Department, Post
from lianneng.model.risk import RiskPoint
from lianneng.register import Register


def department_of(register: Register, record: Record | None) -> str | None:
    if record is None:
        return None
    if isinstance(record, Department):
        return record.id
    if isinstance(record, Post):
        return record.department
    if isinstance(record, RiskPoint):
        if record.department:
            return record.department
        for post_id in record.posts:
            post = register.ids.get(post_id)
            if isinstance(post, Post) and post.department:
                return post.department
        return None
    if isinstance(record, Control):
        if record.department:
            return record.department
        owner = register.ids.get(record.owner or "")
        if isinstance(owner, Post):
            return owner.department
    return None


def target_department(register: Register, target_id: str) -> str | None:
    return department_of(register, register.ids.get(target_id))


def risk_of_control(register: Register, control: Control) -> RiskPoint | None:
    for risk in register.of(RiskPoint):
        if control.id in risk.control_ids() or risk.id in control.risks:
            return risk
    return None
