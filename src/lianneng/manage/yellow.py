"""Seed 000's 廉能风险黄牌警告: two verified complaints, or the bottom three of a democratic
rating."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lianneng.grading.policy import YellowCard
from lianneng.manage.facts import target_department
from lianneng.model.org import Department, Post
from lianneng.model.warning import SignalRecord, Warning
from lianneng.register import Register


@dataclass
class Card:
    kind: str  # post | department
    id: str
    name: str
    complaints: list[str] = field(default_factory=list)  # signal or warning ids
    ratings: list[str] = field(default_factory=list)
    head: str | None = None  # the post whose holder comes under close supervision

    @property
    def reasons(self) -> list[tuple[str, str]]:
        found = []
        if self.complaints:
            found.append(
                (
                    f"查实的信访举报 {len(self.complaints)} 件({'、'.join(self.complaints)})",
                    f"{len(self.complaints)} verified complaints ({', '.join(self.complaints)})",
                )
            )
        if self.ratings:
            found.append(
                (
                    f"民主测评排名后列({'、'.join(self.ratings)})",
                    f"bottom of a democratic rating ({', '.join(self.ratings)})",
                )
            )
        return found


def yellow_cards(register: Register, rule: YellowCard) -> list[Card]:
    complaints: dict[str, list[str]] = defaultdict(list)
    ratings: dict[str, list[str]] = defaultdict(list)

    def count(
        target: str, record_id: str, kind: str, verified: bool, rank: int | None, ranked: int | None
    ) -> None:
        holders = [target]
        department = target_department(register, target)
        if department and department != target:
            holders.append(department)  # a post's complaints count against its department too
        for holder in holders:
            if kind in rule.complaint_types and verified:
                complaints[holder].append(record_id)
            if (
                kind in rule.rating_types
                and rank is not None
                and ranked is not None
                and ranked - rank < rule.bottom
                and holder == target
            ):
                ratings[holder].append(record_id)

    for signal in register.of(SignalRecord):
        count(signal.target, signal.id, signal.type, signal.verified, signal.rank, signal.ranked)
    for warning in register.of(Warning):
        if warning.signal is not None:
            count(
                warning.target, warning.id, warning.signal.type, warning.signal.verified, None, None
            )
    cards = []
    holders: list[Post | Department] = [*register.of(Post), *register.of(Department)]
    for record in holders:
        found_complaints = sorted(set(complaints.get(record.id, [])))
        found_ratings = sorted(set(ratings.get(record.id, [])))
        if len(found_complaints) >= rule.complaints or found_ratings:
            head = record.id if isinstance(record, Post) else getattr(record, "head", None)
            cards.append(
                Card(
                    record.KIND,
                    record.id,
                    record.name,
                    found_complaints if len(found_complaints) >= rule.complaints else [],
                    found_ratings,
                    head,
                )
            )
    return cards
