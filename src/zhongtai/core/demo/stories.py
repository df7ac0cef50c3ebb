"""Plans of demo tickets: what each ticket is about and the steps of its timeline.

A plan is pure data (who does what, when); ``replay.py`` plays it either through the
ticket services or through an in-memory copy of their rules for bulk inserts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, User
from zhongtai.core.demo.directory import UnitDirectory
from zhongtai.core.demo.text import TextWriter
from zhongtai.customers.models import Contact
from zhongtai.tickets.choices import TicketStatus as S
from zhongtai.tickets.models import Category, Tag, Ticket

# Final status mix: 45 % still open (new + open + pending), like a live helpdesk.
STATUS_WEIGHTS: dict[str, int] = {
    S.NEW: 10,
    S.OPEN: 16,
    S.PENDING_CUSTOMER: 11,
    S.PENDING_INTERNAL: 8,
    S.RESOLVED: 13,
    S.CLOSED: 42,
}
PRIORITY_WEIGHTS = {"low": 15, "normal": 55, "high": 22, "urgent": 8}
TYPE_WEIGHTS = {"question": 35, "incident": 40, "request": 18, "complaint": 7}
FIRST_RESPONSE_MINUTES = {
    "urgent": (5, 30),
    "high": (10, 120),
    "normal": (30, 480),
    "low": (60, 1440),
}
HISTORY_DAYS = 180


@dataclass
class Step:
    """One action on a ticket's timeline. ``kind`` names the service that performs it."""

    at: datetime
    kind: str  # create triage assign take reply note transition escalate handback merge child
    actor: Actor
    body: str = ""
    public: bool = True
    then_status: str | None = None
    to_status: str = ""
    team: Team | None = None
    assignee: User | None = None
    target: TicketPlan | None = None  # merge: the ticket that survives
    child: TicketPlan | None = None  # child: the child ticket it opens


@dataclass
class TicketPlan:
    """Everything about one demo ticket before it exists; ``ticket`` is set once it does."""

    unit: UnitDirectory
    created_at: datetime
    final_status: str
    subject: str
    description: str
    type: str
    priority: str
    channel: str
    category: Category | None
    contact: Contact
    tags: list[Tag]
    creator: Actor
    ctx: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    parent: TicketPlan | None = None  # a child ticket, opened by its parent's "child" step
    via_services: bool = False
    number: int = 0
    ticket: Ticket | None = None


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class StoryPlanner:
    """Plans the tickets of one unit. ``anchor`` is "now": every step happens before it."""

    def __init__(self, *, rng: random.Random, unit: UnitDirectory, anchor: datetime) -> None:
        self.rng = rng
        self.unit = unit
        self.anchor = anchor
        self.zone = ZoneInfo(unit.spec.time_zone)
        engineers = [a.user.display_name for a in unit.by_role("l2")]
        self.text = TextWriter(rng, unit.spec.phrases, engineers)
        self.front = unit.by_role("agent", "lead")
        self.lead = unit.by_role("lead")[0]
        self.logins = [c for c in unit.contacts if c.pk in unit.portal]

    # --- when -------------------------------------------------------------------------
    def created_at(self, status: str) -> datetime:
        """A creation time shaped like real intake: old tickets are closed, open ones recent."""
        rng = self.rng
        if status == S.CLOSED:
            age = rng.uniform(10, HISTORY_DAYS)
        elif status == S.RESOLVED:
            age = rng.uniform(1, 9)
        elif status == S.NEW:
            age = min(rng.expovariate(1.0), 14)
        else:
            age = min(rng.expovariate(1 / 6), 60)
        moment = (self.anchor - timedelta(days=age)).astimezone(self.zone)
        if rng.random() < 0.75:  # most tickets arrive in office hours, local time
            minute = rng.randrange(8 * 60 + 30, 18 * 60)
            moment = moment.replace(hour=minute // 60, minute=minute % 60)
        if moment >= self.anchor - timedelta(minutes=10):
            moment = self.anchor - timedelta(minutes=rng.randrange(10, 240))
        return moment.astimezone(self.anchor.tzinfo)

    # --- what -------------------------------------------------------------------------
    def plan(self, status: str | None = None) -> TicketPlan:
        rng = self.rng
        status = status or _weighted(rng, STATUS_WEIGHTS)
        leaf = rng.choice(self.unit.leaves)
        ctx = self.text.context(leaf.name)
        channel = _weighted(rng, self.unit.spec.channels)
        contact = rng.choice(self.logins if channel == "portal" else self.unit.contacts)
        creator = self.unit.portal[contact.pk] if channel == "portal" else rng.choice(self.front)
        plan = TicketPlan(
            unit=self.unit,
            created_at=self.created_at(status),
            final_status=status,
            subject=self.text.subject(ctx),
            description=self.text.description(ctx),
            type=_weighted(rng, TYPE_WEIGHTS),
            priority=_weighted(rng, PRIORITY_WEIGHTS),
            channel=channel,
            category=leaf,
            contact=contact,
            tags=rng.sample(self.unit.tags, rng.choice((0, 1, 1, 2))),
            creator=creator,
            ctx=ctx,
        )
        plan.steps = StoryWriter(self, plan, ctx).write()
        return plan

    def duplicate(self, target: TicketPlan) -> TicketPlan | None:
        """The same contact asks again; an agent merges the duplicate into ``target``."""
        rng = self.rng
        created = target.created_at + timedelta(minutes=rng.uniform(20, 1440))
        merged = created + timedelta(minutes=rng.uniform(15, 180))
        if merged >= self.anchor - timedelta(minutes=5):
            return None
        creator = self.unit.portal.get(target.contact.pk) or rng.choice(self.front)
        ctx = dict(target.ctx)
        plan = TicketPlan(
            unit=self.unit,
            created_at=created,
            final_status=S.CLOSED,
            subject=target.subject,
            description=self.text.description(ctx),
            type=target.type,
            priority=target.priority,
            channel="portal" if creator.is_customer else "email",
            category=target.category,
            contact=target.contact,
            tags=[],
            creator=creator,
            ctx=ctx,
            via_services=True,
        )
        merge = Step(at=merged, kind="merge", actor=rng.choice(self.front), target=target)
        merge.body = self.text.pick("MERGE", ctx)
        plan.steps = [Step(at=created, kind="create", actor=creator), merge]
        return plan

    def child(self, parent: TicketPlan) -> TicketPlan | None:
        """An L2 engineer opens a blocking R&D child ticket on an escalated ``parent``."""
        takes = [i for i, s in enumerate(parent.steps) if s.kind == "take" and s.actor.role == "l2"]
        if not takes or takes[0] + 2 >= len(parent.steps):
            return None
        after, before = parent.steps[takes[0] + 1], parent.steps[takes[0] + 2]
        at = after.at + (before.at - after.at) / 2
        engineer, rnd = parent.steps[takes[0]].actor, self.unit.by_role("l3")[0]
        ctx = dict(parent.ctx)
        plan = TicketPlan(
            unit=self.unit,
            created_at=at,
            final_status=S.OPEN,
            subject=self.text.pick("CHILD_SUBJECT", ctx)[:200],
            description=self.text.pick("CHILD_BODY", ctx),
            type=parent.type,
            priority=parent.priority,
            channel=parent.channel,
            category=parent.category,
            contact=parent.contact,
            tags=[],
            creator=engineer,
            ctx=ctx,
            via_services=True,
            parent=parent,
        )
        room = self.anchor - at
        plan.steps = [
            Step(at=at + room * 0.2, kind="take", actor=rnd),
            Step(
                at=at + room * 0.4,
                kind="note",
                actor=rnd,
                public=False,
                body=self.text.pick("ENGINEER_NOTES", ctx),
            ),
        ]
        if self.rng.random() < 0.5:
            plan.final_status = S.RESOLVED
            plan.steps.append(
                Step(
                    at=at + room * 0.6,
                    kind="transition",
                    actor=engineer,
                    to_status=S.RESOLVED,
                    body=self.text.pick("HANDBACK", ctx),
                )
            )
        parent.steps.insert(
            takes[0] + 2,
            Step(at=at, kind="child", actor=engineer, child=plan, team=self.unit.teams["l3"]),
        )
        return plan


class StoryWriter:
    """Writes the steps of one ticket so that it ends in its planned status."""

    def __init__(self, planner: StoryPlanner, plan: TicketPlan, ctx: dict[str, str]) -> None:
        self.p = planner
        self.rng = planner.rng
        self.plan = plan
        self.ctx = ctx
        self.owner = self.rng.choice(planner.front)
        self.offsets: list[tuple[float, Step]] = []
        self.minutes = 0.0
        self.customer = planner.unit.portal.get(plan.contact.pk)

    def say(self, bank: str) -> str:
        return self.p.text.pick(bank, self.ctx)

    def add(self, after: tuple[float, float], kind: str, actor: Actor, **kw: object) -> Step:
        self.minutes += self.rng.uniform(*after)
        step = Step(at=self.plan.created_at, kind=kind, actor=actor, **kw)  # type: ignore[arg-type]
        self.offsets.append((self.minutes, step))
        return step

    def write(self) -> list[Step]:
        plan, status = self.plan, self.plan.final_status
        create = Step(at=plan.created_at, kind="create", actor=plan.creator)
        if plan.creator.is_customer:
            self.add((3, 60), "triage", self.owner)
        if status == S.NEW:
            self._new()
        else:
            self._work(status)
        return [create, *self._timed()]

    def _timed(self) -> list[Step]:
        """Place the steps in time, squeezed to end before "now" when the ticket is recent."""
        if not self.offsets:
            return []
        room = (self.p.anchor - self.plan.created_at).total_seconds() / 60 - 1
        scale = min(1.0, room / self.offsets[-1][0]) if self.offsets[-1][0] > 0 else 1.0
        steps = []
        for index, (minutes, step) in enumerate(self.offsets, start=1):
            seconds = max(minutes * scale * 60, index)  # strictly after creation, in order
            step.at = self.plan.created_at + timedelta(seconds=seconds + index * 0.001)
            steps.append(step)
        return steps

    def _new(self) -> None:
        if self.rng.random() < 0.4:
            self.add((5, 90), "assign", self.p.lead, assignee=self.owner.user)
        if self.rng.random() < 0.15:
            self.add((5, 60), "note", self.owner, body=self.say("NOTES"), public=False)

    def _work(self, status: str) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            self.add((2, 60), "take", self.owner)
        else:
            self.add((2, 60), "assign", self.p.lead, assignee=self.owner.user)
        low, high = FIRST_RESPONSE_MINUTES[self.plan.priority]
        if status == S.PENDING_CUSTOMER and rng.random() < 0.6:
            self.add(
                (low, high),
                "reply",
                self.owner,
                body=self.say("REPLY_ASK"),
                then_status=S.PENDING_CUSTOMER,
            )
            return
        self.add((low, high), "reply", self.owner, body=self.say("REPLY_ACK"))
        if rng.random() < 0.3:
            self.add((10, 240), "note", self.owner, body=self.say("NOTES"), public=False)
        if status != S.OPEN or rng.random() < 0.5:
            self._ask_customer()
        escalate = status == S.PENDING_INTERNAL or rng.random() < 0.25
        if escalate:
            self._escalate(deep=rng.random() < 0.2, hand_back=status != S.PENDING_INTERNAL)
        self._finish(status)

    def _ask_customer(self) -> None:
        self.add(
            (20, 600),
            "reply",
            self.owner,
            body=self.say("REPLY_ASK"),
            then_status=S.PENDING_CUSTOMER,
        )
        self._customer_answers("CUSTOMER_FOLLOWUP")
        self.add((15, 480), "reply", self.owner, body=self.say("REPLY_ADVICE"))

    def _customer_answers(self, bank: str) -> None:
        """The customer writes back: on the portal when they have a login, else by phone."""
        if self.customer is not None:
            self.add((30, 1800), "reply", self.customer, body=self.say(bank))
            return
        lead_in = (
            "客户微信回复："
            if self.p.unit.spec.language == "zh-hans"
            else "Customer replied by email: "
        )
        self.add((30, 1800), "note", self.owner, body=lead_in + self.say(bank), public=False)
        self.add((1, 10), "transition", self.owner, to_status=S.OPEN)

    def _escalate(self, *, deep: bool, hand_back: bool) -> None:
        teams, unit = self.p.unit.teams, self.p.unit
        self.add((30, 720), "escalate", self.owner, team=teams["l2"], body=self.say("ESCALATE_L2"))
        engineer = self.rng.choice(unit.by_role("l2"))
        self.add((10, 240), "take", engineer)
        self.add((30, 1440), "note", engineer, body=self.say("ENGINEER_NOTES"), public=False)
        if deep:
            self.add(
                (60, 1440), "escalate", engineer, team=teams["l3"], body=self.say("ESCALATE_L3")
            )
            rnd = self.rng.choice(unit.by_role("l3"))
            self.add((30, 720), "take", rnd)
            self.add((60, 2880), "note", rnd, body=self.say("ENGINEER_NOTES"), public=False)
            if hand_back:
                self.add((30, 720), "handback", rnd, body=self.say("HANDBACK"))
        if hand_back and self.rng.random() < 0.5:
            self.add((30, 720), "handback", engineer, body=self.say("HANDBACK"))

    def _finish(self, status: str) -> None:
        if status == S.OPEN:
            return
        if status == S.PENDING_CUSTOMER:
            self.add(
                (20, 600),
                "reply",
                self.owner,
                body=self.say("REPLY_ASK"),
                then_status=S.PENDING_CUSTOMER,
            )
        elif status == S.PENDING_INTERNAL:
            self.add(
                (10, 240),
                "transition",
                self.owner,
                to_status=S.PENDING_INTERNAL,
                body=self.say("PENDING_INTERNAL"),
            )
        else:
            self._resolve()
            if status == S.CLOSED:
                self.add(
                    (3 * 1440, 7 * 1440),
                    "transition",
                    self.owner,
                    to_status=S.CLOSED,
                    body=self.say("CLOSE"),
                )

    def _resolve(self) -> None:
        self.add(
            (30, 2880), "reply", self.owner, body=self.say("REPLY_RESOLVE"), then_status=S.RESOLVED
        )
        if self.plan.final_status == S.CLOSED and self.customer and self.rng.random() < 0.1:
            self.add((600, 2880), "reply", self.customer, body=self.say("CUSTOMER_REOPEN"))
            self.add(
                (60, 1440),
                "reply",
                self.owner,
                body=self.say("REPLY_RESOLVE"),
                then_status=S.RESOLVED,
            )
