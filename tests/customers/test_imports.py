"""CRM sync: bulk import (engine, command, API) and export of Customer 360 rows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.factories import World
from tests.support import problem
from zhongtai.core.permissions import Role
from zhongtai.customers import services
from zhongtai.customers.exports import rows_export
from zhongtai.customers.imports import BadFile, ImportReport, file_import
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    Customer,
    CustomerTier,
    FieldKind,
    Identity,
    ProfileEvent,
    ProfileEventType,
    Purchase,
)
from zhongtai.sla import clocks

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "external_id,name,lifecycle_stage,owner,tags,domains,industry,region,custom.erp,custom.seats"
)


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _jsonl(*rows: dict[str, Any]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def _import(world: World, kind: str, raw: bytes, fmt: str = "csv", **kw: Any) -> ImportReport:
    return file_import(tenant=world.tenant, kind=kind, raw=raw, fmt=fmt, **kw)


def _fields(world: World) -> None:
    for key, kind in (("erp", FieldKind.TEXT), ("seats", FieldKind.NUMBER)):
        services.custom_field_create(
            actor=world.admin,
            data=services.CustomFieldInput(key=key, label_en=key.upper(), kind=kind),
        )


def _customers(world: World, n: int = 3) -> bytes:
    _fields(world)
    rows = [
        f"C-{i},Customer Co {i},active,lead,a;b,co{i}.example,Printing,East,E{i},{i}"
        for i in range(n)
    ]
    return _csv(CUSTOMERS, *rows)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(verbs)
    ]


def _rejected(report: ImportReport) -> dict[int, list[str]]:
    return {row.line: [r["field"] for r in row.reasons] for row in report.rows}


# --- customers ---------------------------------------------------------------------------


def test_customers_from_csv_are_created_with_every_column(world: World) -> None:
    report = _import(world, "customers", _customers(world))

    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.committed
    c = Customer.objects.get(tenant=world.tenant, external_id="C-1")
    assert (c.name, c.owner, c.tags, c.domains) == (
        "Customer Co 1",
        world.lead.user,
        ["a", "b"],
        ["co1.example"],
    )
    assert (c.industry, c.region, c.custom) == ("Printing", "East", {"erp": "E1", "seats": 1})
    event = ProfileEvent.objects.get(customer=c)
    assert event.type == ProfileEventType.IMPORTED
    assert event.data == {"import": "customers", "external_id": "C-1", "action": "created"}


def test_the_same_file_twice_writes_nothing_the_second_time(world: World) -> None:
    raw = _customers(world, 20)
    _import(world, "customers", raw)
    stamps = dict(Customer.objects.values_list("external_id", "updated_at"))
    events = ProfileEvent.objects.count()

    with CaptureQueriesContext(connection) as queries:
        report = _import(world, "customers", raw)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 20)
    assert _writes(queries) == []
    assert dict(Customer.objects.values_list("external_id", "updated_at")) == stamps
    assert ProfileEvent.objects.count() == events


def test_a_changed_row_updates_only_that_customer_and_says_how(world: World) -> None:
    _import(world, "customers", _customers(world))
    changed = _csv(
        CUSTOMERS,
        "C-0,Customer Co 0,active,lead,a;b,co0.example,Printing,East,E0,0",
        "C-1,Customer Co 1,at_risk,lead,a;b,co1.example,Printing,West,E1,1",
    )

    report = _import(world, "customers", changed)

    assert (report.updated, report.unchanged) == (1, 1)
    c = Customer.objects.get(tenant=world.tenant, external_id="C-1")
    assert (c.lifecycle_stage, c.region) == ("at_risk", "West")
    event = ProfileEvent.objects.filter(customer=c).first()
    assert event is not None
    assert event.data["action"] == "updated"
    assert event.data["changes"] == {
        "lifecycle_stage": {"from": "active", "to": "at_risk"},
        "region": {"from": "East", "to": "West"},
    }


def test_a_column_left_out_keeps_what_is_stored(world: World) -> None:
    _import(world, "customers", _customers(world))

    report = _import(world, "customers", _csv("external_id,name,region", "C-1,Customer Co 1,North"))

    assert report.updated == 1
    c = Customer.objects.get(tenant=world.tenant, external_id="C-1")
    assert (c.region, c.tags, c.industry, c.custom["erp"]) == (
        "North",
        ["a", "b"],
        "Printing",
        "E1",
    )


def test_customers_from_jsonl(world: World) -> None:
    _fields(world)
    raw = _jsonl(
        {"external_id": "J-1", "name": "Json Co", "tags": ["x", "y"], "custom": {"seats": 12}},
        {
            "external_id": "J-2",
            "name": "上海设备有限公司",
            "owner": "L2@example.com",
            "domains": [],
        },
    )

    report = _import(world, "customers", raw, fmt="jsonl")

    assert report.created == 2
    first = Customer.objects.get(tenant=world.tenant, external_id="J-1")
    assert (first.tags, first.custom) == (["x", "y"], {"seats": 12})
    second = Customer.objects.get(tenant=world.tenant, external_id="J-2")
    assert (second.name, second.owner) == ("上海设备有限公司", world.l2.user)
    assert _import(world, "customers", raw, fmt="jsonl").unchanged == 2


def test_a_bad_row_in_the_middle_rejects_the_batch_and_every_bad_row_is_named(
    world: World,
) -> None:
    raw = _csv(
        "external_id,name,lifecycle_stage,owner",
        "C-1,One,active,",
        "C-2,Two,dormant,",
        "C-3,Three,active,",
        "C-4,,active,nobody",
        "C-5,Five,active,",
    )

    report = _import(world, "customers", raw)

    assert not report.committed
    assert (report.created, report.rejected) == (3, 2)
    assert _rejected(report) == {3: ["lifecycle_stage"], 5: ["name", "owner"]}
    assert not Customer.objects.filter(tenant=world.tenant, external_id__startswith="C-").exists()
    assert not ProfileEvent.objects.exists()


def test_partial_writes_the_valid_rows_and_reports_the_others(world: World) -> None:
    raw = _csv(
        "external_id,name,lifecycle_stage", "C-1,One,active", "C-2,Two,dormant", "C-3,Three,"
    )

    report = _import(world, "customers", raw, partial=True)

    assert report.committed
    assert (report.created, report.rejected) == (2, 1)
    assert _rejected(report) == {3: ["lifecycle_stage"]}
    stored = Customer.objects.filter(tenant=world.tenant, external_id__startswith="C-")
    assert sorted(stored.values_list("external_id", flat=True)) == ["C-1", "C-3"]


def test_a_dry_run_reports_and_writes_nothing(world: World) -> None:
    report = _import(world, "customers", _customers(world), dry_run=True)

    assert (report.created, report.committed) == (3, False)
    assert not Customer.objects.filter(tenant=world.tenant, external_id__startswith="C-").exists()


def test_line_numbers_count_the_lines_of_quoted_multi_line_cells(world: World) -> None:
    services.custom_field_create(
        actor=world.admin,
        data=services.CustomFieldInput(key="notes", label_en="Notes", kind=FieldKind.TEXT),
    )
    raw = (
        b'external_id,name,custom.notes\r\nC-1,One,"first line\r\nsecond line\r\nthird"\r\n'
        b'C-2,"Two, Ltd",\r\nC-3,Three,"x\ny"\r\nC-4,,\r\n'
    )

    report = _import(world, "customers", raw)

    assert _rejected(report) == {8: ["name"]}
    assert _import(world, "customers", raw.replace(b"C-4,,", b"C-4,Four,")).created == 4
    notes = Customer.objects.get(tenant=world.tenant, external_id="C-1").custom["notes"]
    assert notes == "first line\r\nsecond line\r\nthird"


def test_utf8_with_a_byte_order_mark_reads_as_utf8(world: World) -> None:
    raw = "\ufeffexternal_id,name\nC-1,上海设备\n".encode()

    report = _import(world, "customers", raw)

    assert report.created == 1
    assert Customer.objects.get(tenant=world.tenant, external_id="C-1").name == "上海设备"


def test_a_gbk_file_is_refused_with_a_message_that_says_so(world: World) -> None:
    raw = "external_id,name\nC-1,上海设备有限公司\n".encode("gbk")

    with pytest.raises(BadFile) as caught:
        _import(world, "customers", raw)

    assert "GBK" in caught.value.message
    assert "--encoding gb18030" in caught.value.message
    assert caught.value.errors[0]["line"] == 2
    assert not Customer.objects.filter(tenant=world.tenant, external_id="C-1").exists()


def test_a_gbk_file_named_as_such_is_read_with_a_warning(world: World) -> None:
    raw = "external_id,name\nC-1,上海设备有限公司\n".encode("gbk")

    report = _import(world, "customers", raw, encoding="gb18030")

    assert report.created == 1
    assert report.warnings
    assert Customer.objects.get(tenant=world.tenant, external_id="C-1").name == "上海设备有限公司"


def test_an_external_id_twice_in_a_file_rejects_the_later_row(world: World) -> None:
    raw = _csv("external_id,name", "C-1,One", "C-2,Two", "C-1,One again")

    report = _import(world, "customers", raw, partial=True)

    assert _rejected(report) == {4: ["external_id"]}
    assert "Line 2" in report.rows[0].reasons[0]["message"]
    assert Customer.objects.get(tenant=world.tenant, external_id="C-1").name == "One"


def test_a_name_another_customer_has_is_rejected(world: World) -> None:
    raw = _csv("external_id,name", "C-1,Acme", "C-2,Two", "C-3,Two")

    report = _import(world, "customers", raw)

    assert _rejected(report) == {2: ["name"], 4: ["name"]}


def test_unknown_repeated_or_missing_columns_refuse_the_file_at_line_1(world: World) -> None:
    with pytest.raises(BadFile) as caught:
        _import(
            world, "customers", _csv("external_id,name,colour,name,tier_override", "C-1,A,x,A,vip")
        )

    errors = {(e["line"], e["field"]) for e in caught.value.errors}
    assert errors == {(1, "colour"), (1, "name"), (1, "tier_override")}
    tier = next(e for e in caught.value.errors if e["field"] == "tier_override")
    assert "tier rules" in tier["message"]
    with pytest.raises(BadFile):
        _import(world, "customers", _csv("external_id,industry", "C-1,Printing"))


def test_unknown_keys_and_malformed_lines_reject_their_rows(world: World) -> None:
    jsonl = b'{"external_id": "J-1", "name": "One", "colour": "red"}\n{"external_id": \n\n[1, 2]\n'
    report = _import(world, "customers", jsonl, fmt="jsonl")
    assert _rejected(report) == {1: ["colour"], 2: [""], 4: [""]}

    csv_raw = _csv("external_id,name", "C-1,One,extra", 'C-2,"Two', "C-3,Three")
    report = _import(world, "customers", csv_raw)
    assert _rejected(report) == {2: [""], 3: [""]}
    assert "end of data" in report.rows[1].reasons[0]["message"]


def test_custom_values_are_checked_against_the_units_fields(world: World) -> None:
    _fields(world)
    services.custom_field_create(
        actor=world.admin,
        data=services.CustomFieldInput(
            key="plan", label_en="Plan", kind=FieldKind.CHOICE, choices=["gold"], required=True
        ),
    )
    raw = _jsonl(
        {"external_id": "J-1", "name": "One", "custom": {"plan": "gold", "seats": "many"}},
        {"external_id": "J-2", "name": "Two", "custom": {"seats": 3}},
        {"external_id": "J-3", "name": "Three", "custom": {"plan": "gold", "colour": "red"}},
        {"external_id": "J-4", "name": "Four", "custom": {"plan": "gold", "seats": "4"}},
    )

    report = _import(world, "customers", raw, fmt="jsonl", partial=True)

    assert _rejected(report) == {1: ["custom.seats"], 2: ["custom.plan"], 3: ["custom.colour"]}
    four = Customer.objects.get(tenant=world.tenant, external_id="J-4")
    assert four.custom == {"plan": "gold", "seats": 4}


# --- contacts ----------------------------------------------------------------------------

CONTACTS = "external_id,customer_external_id,name,email,phone,title,language,wecom_userid,chat"


def test_contacts_with_identities_from_csv(world: World) -> None:
    _import(world, "customers", _customers(world))
    raw = _csv(
        CONTACTS,
        "P-1,C-1,Li Wei,Li.Wei@Example.com,+86 21 5555 0101,Buyer,zh-hans,liwei,slack:U1;slack:U2",
        "P-2,C-2,Wang Fang,,,,en,,",
    )

    report = _import(world, "contacts", raw)

    assert report.created == 2
    li = Contact.objects.get(tenant=world.tenant, external_id="P-1")
    assert (li.customer.external_id, li.email, li.language) == (
        "C-1",
        "li.wei@example.com",
        "zh-hans",
    )
    assert sorted(li.identities.values_list("kind", "value")) == [
        ("chat", "slack:U1"),
        ("chat", "slack:U2"),
        ("email", "li.wei@example.com"),
        ("phone", "+862155550101"),
        ("wecom_userid", "liwei"),
    ]
    assert _import(world, "contacts", raw).unchanged == 2


def test_an_identity_another_contact_holds_rejects_the_row(world: World) -> None:
    _import(world, "customers", _customers(world))
    services.contact_create(
        actor=world.agent,
        customer_id=Customer.objects.get(tenant=world.tenant, name="Acme").pk,
        data=services.ContactInput(name="Held", email="held@example.com"),
    )
    raw = _csv(
        CONTACTS,
        "P-1,C-1,Li Wei,li@example.com,,,,,",
        "P-2,C-1,Customer,Held@example.com,,,,,",  # a contact made by hand has it
        "P-3,C-2,Wang,wang@example.com,,,,liwei,",
        "P-4,C-2,Zhao,zhao@example.com,,,,liwei,",
        "P-5,C-0,Qian,LI@example.com,,,,,",
    )

    report = _import(world, "contacts", raw, partial=True)

    assert _rejected(report) == {3: ["email"], 5: ["wecom_userid"], 6: ["email"]}
    assert "Line 4" in report.rows[1].reasons[0]["message"]
    assert Identity.objects.get(tenant=world.tenant, value="liwei").contact.external_id == "P-3"


def test_contacts_need_a_customer_of_the_unit(world: World) -> None:
    _import(world, "customers", _customers(world))
    Customer.objects.create(tenant=world.other_tenant, name="Other", external_id="X-1")
    raw = _csv(CONTACTS, "P-1,C-404,Li,,,,,,", "P-2,X-1,Wang,,,,,,", "P-3,C-1,Zhao,,,,,,")

    report = _import(world, "contacts", raw)

    assert _rejected(report) == {2: ["customer_external_id"], 3: ["customer_external_id"]}
    assert "C-404" in report.rows[0].reasons[0]["message"]
    assert not Contact.objects.filter(external_id__startswith="P-").exists()


def test_contacts_from_jsonl_with_an_identities_list(world: World) -> None:
    _import(world, "customers", _customers(world))
    raw = _jsonl(
        {
            "external_id": "P-1",
            "customer_external_id": "C-1",
            "name": "Li Wei",
            "phone": 13800138000,
            "identities": [
                {"kind": "wecom_external_userid", "value": "wmABC"},
                {"kind": "email", "value": "li.private@example.com"},
            ],
        }
    )

    report = _import(world, "contacts", raw, fmt="jsonl")

    assert report.created == 1
    li = Contact.objects.get(tenant=world.tenant, external_id="P-1")
    assert set(li.identities.values_list("kind", flat=True)) == {
        "phone",
        "wecom_external_userid",
        "email",
    }
    moved = raw.replace(b'"C-1"', b'"C-2"')
    assert _import(world, "contacts", moved, fmt="jsonl").updated == 1
    assert Contact.objects.get(pk=li.pk).customer.external_id == "C-2"


# --- contracts, assets, purchases --------------------------------------------------------

CONTRACTS = (
    "external_id,customer_external_id,kind,number,plan,value_per_year,currency,starts_on,"
    "ends_on,renews_on,auto_renew"
)


def test_contracts_move_tiers_and_tell_the_sla_clocks_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(clocks, "standards_changed", lambda **kw: calls.append(kw))
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(
            name="Big", tier=CustomerTier.VIP, min_value_per_year=Decimal(500000)
        ),
    )
    _import(world, "customers", _customers(world, 30))
    rows = [
        f"K-{i},C-{i},contract,N{i},Gold,600000,cny,2020-01-01,,2099/1/5,yes" for i in range(25)
    ]

    report = _import(
        world, "contracts", _csv(CONTRACTS, *rows, "K-99,C-29,,,Silver,1000.5,,2021-01-01,,,")
    )

    assert (report.created, report.tiers_changed) == (26, 25)
    assert calls == [{"tenant_id": world.tenant.pk, "reason": "customer_tier"}]
    c0 = Customer.objects.get(tenant=world.tenant, external_id="C-0")
    assert c0.tier == CustomerTier.VIP
    assert ProfileEvent.objects.filter(customer=c0, type=ProfileEventType.TIER).count() == 1
    k0 = Contract.objects.get(tenant=world.tenant, external_id="K-0")
    assert (k0.currency, k0.renews_on, k0.auto_renew) == ("CNY", date(2099, 1, 5), True)
    assert Contract.objects.get(external_id="K-99").value_per_year == Decimal("1000.50")


def test_a_contract_of_few_customers_tells_their_clocks_one_by_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(clocks, "standards_changed", lambda **kw: calls.append(kw))
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(
            name="Big", tier=CustomerTier.VIP, min_value_per_year=Decimal(1000)
        ),
    )
    _import(world, "customers", _customers(world))
    raw = _csv(CONTRACTS, "K-1,C-1,,,Gold,5000,,2020-01-01,,,")

    assert _import(world, "contracts", raw).tiers_changed == 1
    c1 = Customer.objects.get(tenant=world.tenant, external_id="C-1")
    assert calls == [
        {"tenant_id": world.tenant.pk, "customer_id": c1.pk, "reason": "customer_tier"}
    ]

    ended = _csv(CONTRACTS, "K-1,C-1,,,Gold,5000,,2020-01-01,2020-12-31,,")
    assert (_import(world, "contracts", ended).updated, Customer.objects.get(pk=c1.pk).tier) == (
        1,
        "standard",
    )


def test_contract_values_are_checked(world: World) -> None:
    _import(world, "customers", _customers(world))
    raw = _csv(
        CONTRACTS,
        "K-1,C-1,lease,,Gold,-5,CN,2020-13-01,,,maybe",
        "K-2,C-1,,,Gold,10,,2021-01-01,2020-01-01,,",
        "K-3,C-1,,,,10.001,,,,,",
    )

    report = _import(world, "contracts", raw)

    assert _rejected(report) == {
        2: ["kind", "value_per_year", "currency", "starts_on", "auto_renew"],
        3: ["ends_on"],
        4: ["plan", "value_per_year", "starts_on"],
    }


ASSETS = (
    "external_id,customer_external_id,product_line,product_model,serial_number,site,"
    "installed_on,warranty_ends_on"
)


def test_assets_with_serial_numbers_unique_in_the_unit(world: World) -> None:
    _import(world, "customers", _customers(world))
    Asset.objects.create(
        tenant=world.tenant,
        customer=Customer.objects.get(external_id="C-0"),
        product_model="X",
        serial_number="SN-OLD",
    )
    raw = _csv(
        ASSETS,
        "A-1,C-1,Printers,LaserJet 9,SN-1,Plant 2,2024/3/1,2026-03-01",
        "A-2,C-1,Printers,LaserJet 9,SN-OLD,,,",
        "A-3,C-2,Printers,LaserJet 9,SN-1,,,",
    )

    report = _import(world, "assets", raw, partial=True)

    assert _rejected(report) == {3: ["serial_number"], 4: ["serial_number"]}
    asset = Asset.objects.get(tenant=world.tenant, external_id="A-1")
    assert (asset.installed_on, asset.warranty_ends_on) == (date(2024, 3, 1), date(2026, 3, 1))
    assert _import(world, "assets", _csv(ASSETS, raw.decode().splitlines()[1])).unchanged == 1


def test_purchases_from_jsonl(world: World) -> None:
    _import(world, "customers", _customers(world))
    raw = _jsonl(
        {
            "external_id": "O-1",
            "customer_external_id": "C-1",
            "order_number": "SO-1",
            "ordered_on": "2024-05-01",
            "product": "Toner",
            "quantity": 3,
            "amount": 99.5,
        }
    )

    assert _import(world, "purchases", raw, fmt="jsonl").created == 1
    purchase = Purchase.objects.get(tenant=world.tenant, external_id="O-1")
    assert (purchase.quantity, purchase.amount, purchase.currency) == (3, Decimal("99.50"), "CNY")
    assert _import(world, "purchases", raw, fmt="jsonl").unchanged == 1


# --- export and the round trip ---------------------------------------------------------


def _everything(world: World) -> None:
    _import(world, "customers", _customers(world))
    _import(
        world,
        "contacts",
        _csv(CONTACTS, "P-1,C-1,Li Wei,li@example.com,+86 21 5555 0101,=Boss,zh-hans,liwei,a;b"),
    )
    _import(
        world,
        "contracts",
        _csv(
            CONTRACTS,
            "K-1,C-1,subscription,N1,Gold,1200.5,USD,2024-01-01,2024-12-31,2024-12-01,true",
        ),
    )
    _import(
        world, "assets", _csv(ASSETS, 'A-1,C-1,Printers,LJ 9,SN-1,"Plant 2, Hall 3",2024-03-01,')
    )
    _import(
        world,
        "purchases",
        _jsonl(
            {
                "external_id": "O-1",
                "customer_external_id": "C-1",
                "order_number": "SO-1",
                "ordered_on": "2024-05-01",
                "product": "Toner",
            }
        ),
        fmt="jsonl",
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("kind", ["customers", "contacts", "contracts", "assets", "purchases"])
def test_an_export_imports_again_with_no_change(world: World, kind: str, fmt: str) -> None:
    _everything(world)
    Customer.objects.create(tenant=world.tenant, name="Made by hand")  # no external id

    exported = "".join(rows_export(tenant=world.tenant, kind=kind, fmt=fmt)).encode()
    with CaptureQueriesContext(connection) as queries:
        report = _import(world, kind, exported, fmt=fmt)

    assert (report.unchanged, report.rejected, report.created, report.updated) == (
        3 if kind == "customers" else 1,
        0,
        0,
        0,
    )
    assert _writes(queries) == []


def test_a_csv_export_has_a_bom_and_defuses_formulas(world: World) -> None:
    _everything(world)

    exported = "".join(rows_export(tenant=world.tenant, kind="contacts", fmt="csv"))

    assert exported.startswith(
        "\ufeff"
        + CONTACTS.replace(
            "wecom_userid,chat", "wecom_external_userid,wecom_userid,wecom_unionid,chat"
        )
    )
    assert ",'=Boss," in exported
    assert ",'+86 21 5555 0101," in exported


def test_an_export_holds_only_the_units_rows(world: World) -> None:
    _everything(world)
    other = Customer.objects.create(tenant=world.other_tenant, name="Theirs", external_id="T-1")

    mine = "".join(rows_export(tenant=world.tenant, kind="customers", fmt="jsonl"))
    theirs = "".join(rows_export(tenant=world.other_tenant, kind="customers", fmt="jsonl"))

    assert "T-1" not in mine
    assert "C-1" in mine
    assert [json.loads(line)["external_id"] for line in theirs.splitlines()] == [other.external_id]


# --- a larger batch ----------------------------------------------------------------------


def test_five_thousand_customers_in_one_batch_with_few_queries(world: World) -> None:
    rows = [f"B-{i:05d},Batch customer {i},active,,vip;batch,,Retail,North" for i in range(5000)]
    raw = _csv("external_id,name,lifecycle_stage,owner,tags,domains,industry,region", *rows)

    with CaptureQueriesContext(connection) as first:
        report = _import(world, "customers", raw)
    assert (report.created, report.committed) == (5000, True)
    assert len(first.captured_queries) < 5000 / 20  # SQLite binds 999 values a statement

    again = raw.replace(b"Batch customer 4999,", b"Batch customer 4999 Ltd,")
    with CaptureQueriesContext(connection) as second:
        report = _import(world, "customers", again)
    assert (report.unchanged, report.updated) == (4999, 1)
    assert len(second.captured_queries) < 40


# --- the commands ------------------------------------------------------------------------


def _file(tmp_path: Path, raw: bytes, name: str = "rows.csv") -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def test_the_import_command_prints_the_report(world: World, tmp_path: Path, capsys: Any) -> None:
    path = _file(tmp_path, _customers(world))

    call_command("import", "customers", "--tenant", "sh", "--csv", path, "--actor", "lead")

    out = capsys.readouterr().out
    assert "3 rows, 3 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert ProfileEvent.objects.filter(actor=world.lead.user).count() == 3


def test_the_import_command_exits_1_when_the_batch_is_rejected(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    path = _file(tmp_path, _csv("external_id,name", "C-1,One", "C-2,", "C-3,Three"))

    with pytest.raises(CommandError) as caught:
        call_command("import", "customers", "--tenant", "sh", "--csv", path)

    assert caught.value.returncode == 1
    assert "line 3 (C-2): name: This field is required." in capsys.readouterr().out
    assert not Customer.objects.filter(tenant=world.tenant, external_id="C-1").exists()


def test_the_import_command_exits_3_when_partial_left_rows_out(
    world: World, tmp_path: Path
) -> None:
    path = _file(
        tmp_path, _jsonl({"external_id": "J-1", "name": "One"}, {"name": "No id"}), "r.jsonl"
    )

    with pytest.raises(CommandError) as caught:
        call_command("import", "customers", "--tenant", "sh", "--jsonl", path, "--partial")

    assert caught.value.returncode == 3
    assert Customer.objects.filter(tenant=world.tenant, external_id="J-1").exists()


def test_the_import_command_refuses_a_gbk_file_and_an_agent(world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "external_id,name\nC-1,上海\n".encode("gbk"))

    with pytest.raises(CommandError, match="GBK") as caught:
        call_command("import", "customers", "--tenant", "sh", "--csv", path)
    assert caught.value.returncode == 1
    with pytest.raises(CommandError, match="not allowed"):
        call_command("import", "customers", "--tenant", "sh", "--csv", path, "--actor", "agent")
    with pytest.raises(CommandError, match="not a member"):
        call_command("import", "customers", "--tenant", "saas", "--csv", path, "--actor", "lead")


def test_the_export_command_writes_what_the_import_reads(world: World, tmp_path: Path) -> None:
    _everything(world)
    path = str(tmp_path / "contracts.jsonl")

    call_command("export", "contracts", "--tenant", "sh", "--jsonl", path)

    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {
            "external_id": "K-1",
            "customer_external_id": "C-1",
            "kind": "subscription",
            "number": "N1",
            "plan": "Gold",
            "value_per_year": "1200.50",
            "currency": "USD",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
            "renews_on": "2024-12-01",
            "auto_renew": True,
        }
    ]
    call_command("import", "contracts", "--tenant", "sh", "--jsonl", path)


# --- the API -----------------------------------------------------------------------------


def test_api_import_writes_the_batch_and_answers_the_report(world: World, api_for: Any) -> None:
    rows = [{"external_id": "A-1", "name": "Api Co", "tags": ["api"]}]

    response = api_for(world.lead).post("/customers/import/customers", {"rows": rows})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["committed"], body["created"], body["rows"]) == (True, 1, [])
    again = api_for(world.l2).post("/customers/import/customers", {"rows": rows}).json()
    assert (again["unchanged"], again["committed"]) == (1, True)


def test_api_import_with_a_bad_row_is_a_422_naming_each_row(world: World, api_for: Any) -> None:
    rows = [{"external_id": "A-1", "name": "One"}, {"external_id": "A-2"}, "not an object"]

    response = api_for(world.admin).post("/customers/import/customers", {"rows": rows})

    body = problem(response, 422, "import_rejected")
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "name"), (3, "")]
    assert body["report"]["committed"] is False
    assert not Customer.objects.filter(tenant=world.tenant, external_id="A-1").exists()
    partial = api_for(world.admin).post(
        "/customers/import/customers", {"rows": rows, "partial": True}
    )
    assert (partial.status_code, partial.json()["created"]) == (200, 1)


def test_api_import_refuses_other_roles_and_bad_requests(world: World, api_for: Any) -> None:
    body = {"rows": [{"external_id": "A-1", "name": "One"}]}
    for actor in (world.agent, world.l3, world.customer):
        problem(api_for(actor).post("/customers/import/customers", body), 403)
    admin = api_for(world.admin)
    problem(admin.post("/customers/import/tickets", body), 422)
    problem(admin.post("/customers/import/customers", {"rows": "A-1"}), 422)
    problem(admin.post("/customers/import/customers", {**body, "colour": 1}), 422)
    many = {"rows": [{"external_id": f"A-{i}", "name": f"N{i}"} for i in range(10_001)]}
    problem(admin.post("/customers/import/customers", many), 413, "too_large")
    assert not Customer.objects.filter(external_id__startswith="A-").exists()


def test_api_import_writes_into_the_callers_unit_only(world: World, api_for: Any) -> None:
    Customer.objects.create(tenant=world.tenant, name="Ours", external_id="A-1")
    their_admin = factories.actor(world.other_tenant, Role.ADMIN, "their_admin")
    rows = [
        {"external_id": "A-1", "name": "Theirs"},
        {"external_id": "A-2", "name": "Acme"},
    ]

    response = api_for(their_admin).post("/customers/import/customers", {"rows": rows})

    assert response.json()["created"] == 2
    assert Customer.objects.get(tenant=world.tenant, external_id="A-1").name == "Ours"
    contact = {"external_id": "P-1", "customer_external_id": "C-1", "name": "Li"}
    _import(world, "customers", _customers(world))
    refused = api_for(their_admin).post("/customers/import/contacts", {"rows": [contact]})
    assert problem(refused, 422)["errors"][0]["field"] == "customer_external_id"


def test_api_export_streams_the_units_rows(world: World, api_for: Any) -> None:
    _everything(world)
    Customer.objects.create(tenant=world.other_tenant, name="Theirs", external_id="T-1")

    response = api_for(world.lead).get("/customers/export/customers", format="jsonl")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert sorted(json.loads(line)["external_id"] for line in lines) == ["C-0", "C-1", "C-2"]
    csv_response = api_for(world.admin).get("/customers/export/assets")
    assert b"".join(csv_response.streaming_content).decode().startswith("\ufeffexternal_id,")
    problem(api_for(world.agent).get("/customers/export/customers"), 403)
    problem(api_for(world.customer).get("/customers/export/customers"), 403)
    their_admin = factories.actor(world.other_tenant, Role.ADMIN, "their_admin")
    theirs = api_for(their_admin).get("/customers/export/customers", format="jsonl")
    assert [
        json.loads(line)["external_id"]
        for line in b"".join(theirs.streaming_content).decode().splitlines()
    ] == ["T-1"]
