"""The two demo business units: who works there, their teams, categories, tags and customers.

Everything here is fixed data, so the usernames the demo creates never depend on the seed
or on the number of tickets (``DEMO_USERNAMES`` tells demo users from real ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from zhongtai.core.demo import phrases_en, phrases_zh

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
DEMO_ADMIN = "demo.admin"
CUSTOMERS_PER_UNIT = 100
PORTAL_LOGINS_PER_UNIT = 30


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str  # a core.permissions.Role value
    tier: str  # the team they belong to: l1, l2 or l3


@dataclass(frozen=True)
class UnitSpec:
    slug: str
    name: str
    prefix: str
    time_zone: str
    language: str
    teams: tuple[tuple[str, str], ...]  # (tier, name)
    staff: tuple[StaffSpec, ...]
    categories: dict[str, tuple[str, ...]]  # root -> leaves
    tags: tuple[str, ...]
    channels: dict[str, int]  # channel -> weight
    phrases: ModuleType

    def portal_username(self, index: int) -> str:
        return f"{self.slug}.c{index:03d}"


@dataclass(frozen=True)
class ArticleSpec:
    """A knowledge article of a demo unit and the ways customers ask what it answers.

    ``stage`` is where the demo leaves it: ``published`` (imported), ``revised`` (imported
    as it read before, ``earlier`` giving (the words now, the words then), then edited by
    ``by``, an L2 engineer, with ``note``), ``archived`` (by ``by``, with ``note``),
    ``draft`` or ``in_review`` (written by ``by``, an agent), or ``returned`` (sent for
    review by ``by`` and returned to draft by ``reviewer`` with ``note``).
    """

    key: str  # the external id
    title: str
    language: str  # a knowledge.choices.ArticleLanguage value
    category: str  # the name of one of the unit's categories
    visibility: str  # a knowledge.choices.Visibility value
    tags: tuple[str, ...]
    questions: tuple[str, ...]
    body: str  # Markdown
    product_line: str = ""
    stage: str = "published"
    by: str = ""  # a staff username of the unit
    reviewer: str = ""
    note: str = ""
    earlier: tuple[tuple[str, str], ...] = ()


SH = UnitSpec(
    slug="sh",
    name="华东设备售后服务部",
    prefix="SH",
    time_zone="Asia/Shanghai",
    language="zh-hans",
    teams=(("l1", "一线服务台"), ("l2", "二线技术支持"), ("l3", "研发工程部")),
    staff=(
        StaffSpec("sh.zhangwei", "张伟", "agent", "l1"),
        StaffSpec("sh.lina", "李娜", "agent", "l1"),
        StaffSpec("sh.wangfang", "王芳", "agent", "l1"),
        StaffSpec("sh.liuyang", "刘洋", "agent", "l1"),
        StaffSpec("sh.chenjing", "陈静", "lead", "l1"),
        StaffSpec("sh.zhaolei", "赵磊", "l2", "l2"),
        StaffSpec("sh.sunhao", "孙浩", "l2", "l2"),
        StaffSpec("sh.zhoumin", "周敏", "l3", "l3"),
        StaffSpec("sh.wuqiang", "吴强", "admin", "l1"),
    ),
    categories={
        "空压机": ("螺杆空压机", "活塞空压机"),
        "数控机床": ("加工中心", "数控车床"),
        "变频器": ("报警代码", "参数设置"),
        "服务": ("备件与耗材", "保修与合同"),
    },
    tags=("保修期内", "保修期外", "上门维修", "远程指导", "备件", "重复故障", "停机", "大客户"),
    channels={"phone": 35, "portal": 20, "email": 20, "web_form": 10, "chat": 15},
    phrases=phrases_zh,
)

SAAS = UnitSpec(
    slug="saas",
    name="SaaS Customer Success",
    prefix="CS",
    time_zone="America/New_York",
    language="en",
    teams=(("l1", "Frontline Support"), ("l2", "Technical Support"), ("l3", "Engineering")),
    staff=(
        StaffSpec("saas.emma", "Emma Walker", "agent", "l1"),
        StaffSpec("saas.liam", "Liam Carter", "agent", "l1"),
        StaffSpec("saas.olivia", "Olivia Brooks", "agent", "l1"),
        StaffSpec("saas.noah", "Noah Patel", "agent", "l1"),
        StaffSpec("saas.ava", "Ava Thompson", "lead", "l1"),
        StaffSpec("saas.ethan", "Ethan Kim", "l2", "l2"),
        StaffSpec("saas.mia", "Mia Rossi", "l2", "l2"),
        StaffSpec("saas.lucas", "Lucas Meyer", "l3", "l3"),
        StaffSpec("saas.sophia", "Sophia Nguyen", "admin", "l1"),
    ),
    categories={
        "Account & SSO": ("SSO / SAML", "Password & 2FA"),
        "Billing": ("Invoices", "Plan changes"),
        "API & Integrations": ("Rate limits", "Webhooks"),
        "Data": ("Export", "Import"),
        "Getting started": ("Onboarding",),
    },
    tags=("sso", "billing", "api", "webhook", "export", "onboarding", "bug", "churn-risk"),
    channels={"email": 40, "portal": 25, "chat": 20, "web_form": 10, "api": 5},
    phrases=phrases_en,
)

UNITS = (SH, SAAS)

DEMO_USERNAMES = frozenset(
    [DEMO_ADMIN]
    + [staff.username for unit in UNITS for staff in unit.staff]
    + [unit.portal_username(i) for unit in UNITS for i in range(1, PORTAL_LOGINS_PER_UNIT + 1)]
)

# Parts of customer and contact names; combined by index so that every name is unique.
ZH_CITIES = ["苏州", "无锡", "宁波", "常州", "杭州", "南通", "嘉兴", "昆山", "上海", "合肥"]
ZH_WORDS = ["恒力", "华光", "永盛", "金达", "鑫源", "德隆", "瑞丰", "天成", "宏达", "众和"]
ZH_TRADES = ["精密机械", "汽车零部件", "塑胶制品", "电子科技", "纺织", "食品", "包装", "模具"]
ZH_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗"
ZH_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "霞",
    "鹏",
]
EN_FIRST = ["Bright", "North", "Blue", "Silver", "Green", "Red", "Open", "Swift", "Clear", "Deep"]
EN_SECOND = ["wave", "peak", "stone", "field", "leaf", "line", "path", "bridge", "harbor", "mark"]
EN_TRADES = ["Analytics", "Logistics", "Health", "Labs", "Retail", "Media", "Finance", "Software"]
EN_GIVEN = ["James", "Mary", "Robert", "Linda", "David", "Sarah", "Daniel", "Laura", "Kevin", "Amy"]
EN_FAMILY = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Clark"]
