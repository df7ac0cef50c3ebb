"""Customer 360 of the demo units: owners, lifecycle stages, tags, mail domains, custom
fields, contracts and subscriptions (whose yearly values agree with each customer's tier
under the unit's tier rules), purchases, identities (emails, phones, WeCom ids) and notes.

The tiers the tickets were played with stay as they are: the contracts are made to earn
them, and a VIP whose contracts alone would not is one set by hand, with the reason.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhongtai.core.demo.directory import UnitDirectory
from zhongtai.core.permissions import Role
from zhongtai.customers.models import (
    Asset,
    Contract,
    ContractKind,
    Customer,
    CustomerTier,
    CustomField,
    FieldKind,
    Identity,
    IdentityKind,
    LifecycleStage,
    ProfileEvent,
    ProfileEventType,
    Purchase,
    TierRule,
)

# yearly value ranges that earn each tier under the rules below (in the unit's currency)
_SH_VALUES = {
    CustomerTier.STANDARD: (20_000, 140_000),
    CustomerTier.PREMIUM: (150_000, 480_000),
    CustomerTier.VIP: (500_000, 1_800_000),
}
_SAAS_VALUES = {
    CustomerTier.STANDARD: (3_000, 28_000),
    CustomerTier.PREMIUM: (30_000, 95_000),
    CustomerTier.VIP: (100_000, 400_000),
}
_SH_PLANS = {
    CustomerTier.STANDARD: "标准维保",
    CustomerTier.PREMIUM: "银牌维保",
    CustomerTier.VIP: "金牌维保（7×24）",
}
_SAAS_PLANS = {
    CustomerTier.STANDARD: "Team plan",
    CustomerTier.PREMIUM: "Business plan",
    CustomerTier.VIP: "Enterprise plan",
}
_SH_REGIONS = ["华东", "华南", "华北", "西南"]
_SH_SEGMENTS = ["汽车零部件", "3C 电子", "模具", "航空航天", "医疗器械"]
_SAAS_REGIONS = ["North America", "Europe", "APAC"]
_SAAS_SEGMENTS = ["Healthcare", "Retail", "Education", "Logistics", "Finance"]
_SH_NOTES = [
    "设备科王工负责对接，来电请先报设备序列号。",
    "客户要求上门前一天电话确认，厂区需提前办理入厂证。",
    "续约谈判中，客户关注备件价格和到场时效。",
]
_SAAS_NOTES = [
    "Prefers email over calls; the admin team is in UTC+1.",
    "Asked for a quarterly business review before the renewal.",
    "SSO roll-out planned next quarter; loop in their IT lead.",
]


def customers360_create(*, directory: UnitDirectory) -> None:
    zh = directory.spec.language == "zh-hans"
    tenant = directory.tenant
    rng = random.Random(f"c360-{tenant.slug}")  # noqa: S311 - repeatable data, not secrets
    today = timezone.localtime(timezone.now(), ZoneInfo(tenant.time_zone)).date()
    _rules_create(directory, zh)
    fields = _fields_create(directory, zh)
    owners = [a.user for a in directory.by_role(Role.LEAD, Role.AGENT, Role.L2)][:6]
    admin = next(iter(directory.by_role(Role.ADMIN)), None)
    customers = list(Customer.objects.filter(tenant=tenant).order_by("pk"))
    contracts: list[Contract] = []
    purchases: list[Purchase] = []
    notes: list[ProfileEvent] = []
    assets: dict[int, list[Asset]] = {}
    for asset in Asset.objects.filter(tenant=tenant):
        assets.setdefault(asset.customer_id, []).append(asset)
    for index, customer in enumerate(customers, start=1):
        tier = CustomerTier(customer.tier)
        low, high = (_SH_VALUES if zh else _SAAS_VALUES)[tier]
        by_hand = tier == CustomerTier.VIP and index % 3 == 0
        if by_hand:  # a VIP whose contracts alone make it premium: set by hand
            low, high = (_SH_VALUES if zh else _SAAS_VALUES)[CustomerTier.PREMIUM]
        value = Decimal(rng.randrange(low, high) // 1000 * 1000)
        starts = today - timedelta(days=rng.randrange(30, 1000))
        ends = starts + timedelta(days=365 * rng.choice((1, 2, 3)) - 1)
        while ends < today:
            ends += timedelta(days=365)
        contracts.append(
            Contract(
                tenant=tenant,
                customer=customer,
                kind=ContractKind.CONTRACT if zh else ContractKind.SUBSCRIPTION,
                number=f"{'HT' if zh else 'SUB'}-{starts:%Y}-{index:04d}",
                plan=(_SH_PLANS if zh else _SAAS_PLANS)[tier],
                value_per_year=value,
                currency="CNY" if zh else "USD",
                starts_on=starts,
                ends_on=ends,
                renews_on=ends - timedelta(days=30),
                auto_renew=not zh and rng.random() < 0.6,
                external_id=f"{'CRM' if zh else 'SF'}-C{index:05d}",
            )
        )
        if rng.random() < 0.4:  # an earlier term that ended
            contracts.append(
                Contract(
                    tenant=tenant,
                    customer=customer,
                    kind=contracts[-1].kind,
                    number=f"{'HT' if zh else 'SUB'}-{starts.year - 1}-{index:04d}",
                    plan=contracts[-1].plan,
                    value_per_year=(value * Decimal("0.85")).quantize(Decimal(1)),
                    currency=contracts[-1].currency,
                    starts_on=starts - timedelta(days=365),
                    ends_on=starts - timedelta(days=1),
                )
            )
        purchases.extend(_purchases(customer, assets.get(customer.pk, []), zh, rng, index))
        customer.tier_computed = CustomerTier.PREMIUM if by_hand else tier
        if by_hand:
            customer.tier_override = CustomerTier.VIP
            customer.tier_override_reason = (
                "战略合作伙伴，总部指定 VIP" if zh else "Strategic logo, VIP by the VP's decision"
            )
            customer.tier_override_by = admin.user if admin else None
            customer.tier_override_at = timezone.now() - timedelta(days=rng.randrange(10, 200))
        customer.owner = rng.choice(owners) if owners else None
        renewal_soon = ends - today < timedelta(days=75)
        customer.lifecycle_stage = (
            LifecycleStage.RENEWAL
            if renewal_soon
            else LifecycleStage.ONBOARDING
            if today - starts < timedelta(days=90)
            else LifecycleStage.AT_RISK
            if index % 17 == 0
            else LifecycleStage.ACTIVE
        )
        regions = _SH_REGIONS if zh else _SAAS_REGIONS
        customer.region = rng.choice(regions)
        customer.industry = rng.choice(_SH_SEGMENTS if zh else _SAAS_SEGMENTS)
        customer.tags = (
            [customer.region, "续约" if zh else "renewal"] if renewal_soon else [customer.region]
        )
        customer.domains = sorted(
            {c.email.split("@")[1] for c in directory.contacts if c.customer_id == customer.pk}
        )
        customer.custom = _custom(fields, zh, rng, index, starts)
        customer.external_id = f"{'CRM' if zh else 'SF'}-A{index:05d}"
        if index % 4 == 0:
            notes.append(
                ProfileEvent(
                    tenant=tenant,
                    customer=customer,
                    type=ProfileEventType.NOTE,
                    actor=customer.owner,
                    body=rng.choice(_SH_NOTES if zh else _SAAS_NOTES),
                )
            )
    Customer.objects.bulk_update(
        customers,
        [
            "tier_computed",
            "tier_override",
            "tier_override_reason",
            "tier_override_by",
            "tier_override_at",
            "owner",
            "lifecycle_stage",
            "region",
            "industry",
            "tags",
            "domains",
            "custom",
            "external_id",
        ],
    )
    Contract.objects.bulk_create(contracts)
    Purchase.objects.bulk_create(purchases)
    ProfileEvent.objects.bulk_create(notes)
    _identities_create(directory, zh, rng)


def _rules_create(directory: UnitDirectory, zh: bool) -> None:
    values = _SH_VALUES if zh else _SAAS_VALUES
    TierRule.objects.bulk_create(
        [
            TierRule(
                tenant=directory.tenant,
                name="年合同额 ≥ 50 万" if zh else "Yearly value ≥ 100k",
                tier=CustomerTier.VIP,
                position=10,
                min_value_per_year=Decimal(values[CustomerTier.VIP][0]),
            ),
            TierRule(
                tenant=directory.tenant,
                name="战略客户" if zh else "Strategic accounts",
                tier=CustomerTier.VIP,
                position=20,
                tag="战略" if zh else "strategic",
                is_active=True,
            ),
            TierRule(
                tenant=directory.tenant,
                name="年合同额 ≥ 15 万" if zh else "Yearly value ≥ 30k",
                tier=CustomerTier.PREMIUM,
                position=30,
                min_value_per_year=Decimal(values[CustomerTier.PREMIUM][0]),
            ),
        ]
    )


def _fields_create(directory: UnitDirectory, zh: bool) -> list[CustomField]:
    tenant = directory.tenant
    if zh:
        fields = [
            CustomField(tenant=tenant, key="erp_code", label_en="ERP customer code",
                        label_zh="ERP 客户编码", kind=FieldKind.TEXT, position=1),
            CustomField(tenant=tenant, key="service_window", label_en="Service window",
                        label_zh="服务时间窗", kind=FieldKind.CHOICE, position=2,
                        choices=["5×8", "7×12", "7×24"]),
            CustomField(tenant=tenant, key="site_badge", label_en="Site badge needed",
                        label_zh="需办理入厂证", kind=FieldKind.BOOLEAN, position=3),
        ]  # fmt: skip
    else:
        fields = [
            CustomField(tenant=tenant, key="seats", label_en="Seats", label_zh="席位数",
                        kind=FieldKind.NUMBER, position=1),
            CustomField(tenant=tenant, key="go_live", label_en="Went live", label_zh="上线日期",
                        kind=FieldKind.DATE, position=2),
            CustomField(tenant=tenant, key="data_region", label_en="Data region",
                        label_zh="数据区域", kind=FieldKind.CHOICE, position=3,
                        choices=["US", "EU", "APAC"]),
        ]  # fmt: skip
    return CustomField.objects.bulk_create(fields)


def _custom(
    fields: list[CustomField], zh: bool, rng: random.Random, index: int, starts: date
) -> dict[str, object]:
    if zh:
        return {
            "erp_code": f"K{index:06d}",
            "service_window": rng.choice(fields[1].choices),
            "site_badge": rng.random() < 0.5,
        }
    return {
        "seats": rng.choice((10, 25, 50, 120, 300, 800)),
        "go_live": (starts + timedelta(days=rng.randrange(14, 90))).isoformat(),
        "data_region": rng.choice(fields[2].choices),
    }


def _purchases(
    customer: Customer, assets: list[Asset], zh: bool, rng: random.Random, index: int
) -> list[Purchase]:
    rows = []
    for n, asset in enumerate(assets, start=1):
        if asset.installed_on is None:
            continue
        rows.append(
            Purchase(
                tenant=customer.tenant,
                customer=customer,
                order_number=f"SO-{asset.installed_on:%Y%m}-{index:03d}{n}",
                ordered_on=asset.installed_on - timedelta(days=rng.randrange(20, 60)),
                product=asset.product_model,
                quantity=1,
                amount=Decimal(rng.randrange(180, 2400) * 1000),
                currency="CNY",
                external_id=f"ERP-SO-{index:04d}-{n}",
            )
        )
    if not zh:
        for n in range(rng.choice((1, 2, 3))):
            rows.append(
                Purchase(
                    tenant=customer.tenant,
                    customer=customer,
                    order_number=f"INV-{index:04d}-{n + 1}",
                    ordered_on=date(2025, 1, 1) + timedelta(days=rng.randrange(0, 600)),
                    product=rng.choice(("Extra seats", "Premium support add-on", "Sandbox")),
                    quantity=rng.choice((1, 5, 10, 25)),
                    amount=Decimal(rng.randrange(5, 90) * 100),
                    currency="USD",
                    external_id=f"SF-INV-{index:04d}-{n + 1}",
                )
            )
    return rows


def _identities_create(directory: UnitDirectory, zh: bool, rng: random.Random) -> None:
    """Every contact's email and phone, and chat ids: WeCom external user ids (and some
    WeChat union ids) in the equipment unit, a chat tool's ids in the SaaS unit."""
    tenant = directory.tenant
    rows: list[Identity] = []
    seen: set[tuple[str, str]] = set()

    def add(contact_id: int, kind: str, value: str, label: str = "") -> None:
        if value and (kind, value) not in seen:
            seen.add((kind, value))
            rows.append(
                Identity(tenant=tenant, contact_id=contact_id, kind=kind, value=value, label=label)
            )

    for n, contact in enumerate(directory.contacts, start=1):
        add(contact.pk, IdentityKind.EMAIL, contact.email.lower())
        add(
            contact.pk,
            IdentityKind.PHONE,
            "".join(c for c in contact.phone if c.isdigit() or c == "+"),
        )
        if zh:
            add(
                contact.pk,
                IdentityKind.WECOM_EXTERNAL_USERID,
                f"wmDemo{tenant.slug}{n:05d}",
                "企业微信",
            )
            if rng.random() < 0.5:
                add(contact.pk, IdentityKind.WECOM_UNIONID, f"oDemoUnion{n:06d}", "微信")
        elif rng.random() < 0.5:
            add(contact.pk, IdentityKind.OTHER_CHAT, f"U0DEMO{n:05d}", "Slack")
    Identity.objects.bulk_create(rows)
