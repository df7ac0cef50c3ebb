"""The Simplified Chinese catalog: complete, compiled, and actually served.

The catalog is src/zhongtai/locale/zh_Hans/LC_MESSAGES/django.po; its compiled django.mo
is committed so that a machine without GNU gettext still serves Chinese. These tests
keep the two honest and check that the main pages leave no English UI words behind.
"""

from __future__ import annotations

import contextlib
import gettext
import html
import re
from dataclasses import dataclass, field
from datetime import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests import factories
from zhongtai.accounts.actors import Actor
from zhongtai.customers.models import Contact, Customer
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval
from zhongtai.tickets import services
from zhongtai.tickets.models import Ticket

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
ZH = "zh-hans"


# --- A small .po reader (no third-party dependency) -----------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(token: str) -> str:
    """The value of one C-quoted .po string ("..." with backslash escapes)."""
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"not a quoted .po string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key gettext stores the message under (context joined with EOT)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(text: str) -> tuple[PoEntry, list[PoEntry]]:
    """The header entry and the live entries of a .po file (obsolete ``#~`` ones skipped)."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    target: tuple[str, int | None] | None = None
    pending_flags: set[str] = set()

    def append(value: str) -> None:
        assert current is not None
        assert target is not None
        name, index = target
        if name == "msgstr":
            assert index is not None
            current.msgstr[index] = current.msgstr.get(index, "") + value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            append(_unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and (
            current is None or keyword == "msgctxt" or target is None or target[0] != "msgctxt"
        ):
            current = PoEntry(flags=pending_flags, line=number)
            pending_flags = set()
            entries.append(current)
        assert current is not None, f"line {number}: {raw!r}"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, None)
            setattr(current, keyword, "")
        else:
            raise ValueError(f"line {number}: unexpected {raw!r}")
        append(_unquote(rest))
    header = entries.pop(0)
    assert header.msgid == "", "the .po must start with its header"
    assert header.msgctxt is None
    return header, entries


@pytest.fixture(scope="module")
def catalog() -> tuple[PoEntry, list[PoEntry]]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


def test_the_po_parser_reads_contexts_plurals_flags_and_escapes() -> None:
    header, entries = parse_po(
        "\n".join(
            [
                'msgid ""',
                'msgstr ""',
                '"Language: zh_Hans\\n"',
                "",
                "#, python-format",
                'msgctxt "menu"',
                'msgid "Say \\"%(x)s\\""',
                'msgstr "说“%(x)s”"',
                "",
                "#, fuzzy",
                'msgid "one file"',
                'msgid_plural "%(n)d files"',
                'msgstr[0] ""',
                '"%(n)d 个文件"',
                "",
                '#~ msgid "Gone"',
                '#~ msgstr "已删除"',
            ]
        )
    )
    assert header.msgstr == {0: "Language: zh_Hans\n"}
    first, second = entries
    assert (first.key, first.msgstr, first.flags) == (
        'menu\x04Say "%(x)s"',
        {0: "说“%(x)s”"},
        {"python-format"},
    )
    assert (second.msgid_plural, second.msgstr, second.flags) == (
        "%(n)d files",
        {0: "%(n)d 个文件"},
        {"fuzzy"},
    )


# --- (a) complete, (b) compiled ---------------------------------------------------------------


def test_the_chinese_catalog_is_complete_and_reviewed(
    catalog: tuple[PoEntry, list[PoEntry]],
) -> None:
    header, entries = catalog
    assert "fuzzy" not in header.flags, "remove the fuzzy flag of the .po header"
    assert "Language: zh_Hans" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert len(entries) > 100
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    plural_forms = [e.msgid for e in entries if e.msgid_plural and set(e.msgstr) != {0}]
    assert not fuzzy, f"fuzzy entries in {PO_FILE.name}: {fuzzy}"
    assert not untranslated, f"untranslated entries in {PO_FILE.name}: {untranslated}"
    assert not plural_forms, f"Chinese has one plural form (msgstr[0] only): {plural_forms}"
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys)), "duplicate msgids"


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def test_translations_keep_placeholders_and_markup(catalog: tuple[PoEntry, list[PoEntry]]) -> None:
    _, entries = catalog
    wrong = []
    for entry in entries:
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for translated in entry.msgstr.values():
                if sorted(_PLACEHOLDER.findall(source)) != sorted(
                    _PLACEHOLDER.findall(translated)
                ) and not (entry.msgid_plural and source == entry.msgid):
                    wrong.append((source, translated))
        tags = sorted(re.findall(r"</?\w+", entry.msgid))
        if any(sorted(re.findall(r"</?\w+", t)) != tags for t in entry.msgstr.values()):
            wrong.append((entry.msgid, entry.msgstr[0]))
    assert not wrong


def test_the_compiled_mo_matches_the_po(catalog: tuple[PoEntry, list[PoEntry]]) -> None:
    assert MO_FILE.exists(), "run `zhongtai compilemessages -l zh_Hans` and commit django.mo"
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    _, entries = catalog
    stale = []
    for entry in entries:
        if entry.msgid_plural is not None:
            got = mo.ngettext(entry.key, entry.msgid_plural, 1)
        else:
            got = mo.gettext(entry.key)
        if got != entry.msgstr[0]:
            stale.append((entry.msgid, entry.msgstr[0], got))
    assert not stale, f"django.mo is stale, recompile it: {stale[:10]}"


# --- (c) the language is chosen from the browser or the language cookie ----------------------


def _html_lang(content: str) -> str | None:
    match = re.search(r"<html[^>]*\slang=\"([^\"]+)\"", content)
    return match.group(1) if match else None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "cookie"),
    [
        ("zh-hans", None),
        ("zh-CN,zh;q=0.9,en;q=0.8", None),
        ("en-US,en;q=0.9", ZH),
    ],
    ids=["accept-language", "browser-zh-CN", "cookie-wins"],
)
def test_login_page_in_chinese(accept_language: str, cookie: str | None) -> None:
    assert settings.LANGUAGE_COOKIE_NAME == "zhongtai_language"
    client = Client(headers={"accept-language": accept_language})
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert _html_lang(content) == ZH
    assert "登录" in content
    for chinese in ("用户名", "密码"):
        assert chinese in content
    for english in ("Log in", "Username", "Password"):
        assert english not in content


@pytest.mark.django_db
def test_login_page_stays_english_by_default() -> None:
    content = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert _html_lang(content) == "en"
    assert "Log in" in content
    assert "登录" not in content


# --- (d) the main pages leave no English UI words ------------------------------------------

# Common words of the templates; each must be gone from a page rendered in Chinese.
ENGLISH_UI_WORDS = [
    "Status",
    "Priority",
    "Assignee",
    "Reply",
    "Submit",
    "Subject",
    "Description",
    "Log out",
    "Tickets",
    "Open",
    "Resolved",
    "Internal note",
    "New request",
]
# Attributes that people read (or hear); other attribute values are code (class, name, …).
HUMAN_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
# Elements whose content is code, not UI text.
CODE_ELEMENTS = {"script", "style", "code", "pre"}


class _VisibleText(HTMLParser):
    """Collects the text people see: element text and human-facing attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._code_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CODE_ELEMENTS:
            self._code_depth += 1
        self.chunks.extend(v for k, v in attrs if k in HUMAN_ATTRIBUTES and v)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.chunks.extend(v for k, v in attrs if k in HUMAN_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_ELEMENTS and self._code_depth:
            self._code_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._code_depth:
            self.chunks.append(data)


def visible_text(content: str, user_data: list[str]) -> str:
    parser = _VisibleText()
    parser.feed(content)
    parser.close()
    text = html.unescape(" \n ".join(parser.chunks))
    for value in sorted(filter(None, user_data), key=len, reverse=True):
        text = text.replace(value, " ")
    return re.sub(r"\s+", " ", text)


def english_leftovers(text: str, phrases: list[str]) -> list[str]:
    """The phrases that occur in the text as whole words (case-sensitive)."""
    return sorted({p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)})


def _catalog_phrases(entries: list[PoEntry]) -> list[str]:
    """Every English msgid that must not survive as is (those kept as is, e.g. API, left out)."""
    phrases = []
    for entry in entries:
        if entry.msgstr.get(0) == entry.msgid or "%" in entry.msgid or "<" in entry.msgid:
            continue
        if re.search(r"[A-Za-z]{2}", entry.msgid):
            phrases.append(entry.msgid)
    return phrases


def test_the_leftover_check_finds_english_words() -> None:
    text = visible_text(
        '<html><body><h1 title="Priority">工单</h1><p class="Status">Open</p>'
        "<code>Status</code><script>var Reply = 1;</script><span>Acme Subject</span></body></html>",
        user_data=["Acme Subject"],
    )
    assert english_leftovers(text, ENGLISH_UI_WORDS) == ["Open", "Priority"]
    assert english_leftovers("已解决 Log out 退出", ["Log out", "Resolved"]) == ["Log out"]
    assert english_leftovers("Reopen open-ended Status-badge", ENGLISH_UI_WORDS) == []


@dataclass
class ChineseWorld:
    world: factories.World
    ticket: Ticket
    escalated: Ticket
    solved: Ticket
    user_data: list[str]


@pytest.fixture
def zh_world(world: factories.World) -> ChineseWorld:
    """The shared world with people, units and tickets named in Chinese, and some activity."""
    names = {
        world.customer: "王芳",
        world.customer2: "赵敏",
        world.agent: "李娜",
        world.agent2: "张伟",
        world.lead: "刘洋",
        world.l2: "陈静",
        world.l3: "杨磊",
        world.admin: "周强",
    }
    for person, name in names.items():
        person.user.display_name = name
        person.user.save(update_fields=["display_name"])
        Contact.objects.filter(user=person.user).update(name=name)
    world.tenant.name = "华东设备服务事业部"
    world.tenant.save(update_fields=["name"])
    for team, name in (
        (world.l1_team, "一线客服组"),
        (world.l2_team, "二线服务工程组"),
        (world.l3_team, "研发支持组"),
    ):
        team.name = name
        team.save(update_fields=["name"])
    for number, customer in enumerate(Customer.objects.filter(tenant=world.tenant), start=1):
        customer.name = f"上海第{number}机械有限公司"
        customer.save(update_fields=["name"])

    office = BusinessCalendar.objects.create(
        tenant=world.tenant, name="工作日", time_zone="Asia/Shanghai", holiday_source="CN"
    )
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=office, weekday=weekday, start=time(9), end=time(18)
        )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="标准服务",
        calendar=office,
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=2250,
        warn_at_percent=[75],
    )
    by_customer = factories.ticket(
        world.customer,
        subject="打印机卡纸",
        description="打印时发出异响，第三页开始卡纸。",
        channel="portal",
    )
    services.ticket_reply(actor=world.agent, ticket=by_customer, body="请提供设备铭牌照片。")
    services.ticket_reply(
        actor=world.agent, ticket=by_customer, body="已联系现场工程师。", public=False
    )
    escalated = factories.ticket(
        world.customer, subject="空压机噪音大", description="开机后噪音明显。"
    )
    services.ticket_assign(actor=world.agent, ticket=escalated, assignee=world.agent.user)
    services.ticket_escalate(
        actor=world.agent, ticket=escalated, team=world.l2_team, reason="需要二线分析振动数据。"
    )
    services.ticket_take(actor=world.l2, ticket=escalated)
    solved = factories.ticket(world.customer, subject="更换滤芯", description="请安排更换滤芯。")
    services.ticket_reply(actor=world.agent, ticket=solved, body="已安排工程师上门。")
    services.ticket_transition(actor=world.agent, ticket=solved, to_status="resolved")
    by_agent = factories.ticket(
        world.agent, subject="电话来访：控制面板黑屏", description="客户来电反映控制面板无显示。"
    )
    services.ticket_reply(actor=world.agent, ticket=by_agent, body="已远程排查电源。", public=False)
    user_data = [
        world.tenant.name,
        world.other_tenant.name,
        *(str(p.user) for p in names),
        *(p.user.email for p in names),
    ]
    return ChineseWorld(
        world=world, ticket=by_agent, escalated=escalated, solved=solved, user_data=user_data
    )


def _zh_client(person: Actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=ZH)
    client.force_login(person.user)
    return client


def _agent_pages(zh: ChineseWorld) -> list[str]:
    """The agent workspace pages that exist at the time (the workspace grows)."""
    urls: list[str] = []
    try:
        queue = reverse("tickets:ticket_list")
    except NoReverseMatch:
        return urls
    queues = ("mine", "team", "team_all", "open", "breaching", "all")
    urls += [queue, *(f"{queue}?queue={q}" for q in queues)]
    with contextlib.suppress(NoReverseMatch):
        urls.append(reverse("tickets:ticket_create"))
    with contextlib.suppress(NoReverseMatch):
        urls.append(reverse("tickets:ticket_detail", kwargs={"number": zh.ticket.number}))
    return urls


def _pages(zh: ChineseWorld) -> list[tuple[Actor, str]]:
    portal = [
        reverse("portal:ticket_list"),
        reverse("portal:ticket_list") + "?state=solved",
        reverse("portal:ticket_list") + "?state=all",
        reverse("portal:ticket_create"),
        reverse("portal:commitments"),
        *(
            reverse("portal:ticket_detail", kwargs={"number": t.number})
            for t in Ticket.objects.filter(tenant=zh.world.tenant, requester=zh.world.customer.user)
        ),
    ]
    pages = [(zh.world.customer, u) for u in portal]
    pages += [(zh.world.agent, u) for u in _agent_pages(zh)]
    pages.append((zh.world.lead, reverse("reports:sla_report")))
    with contextlib.suppress(NoReverseMatch):
        for person, ticket in (
            (zh.world.agent, zh.escalated),
            (zh.world.l2, zh.escalated),
            (zh.world.lead, zh.solved),
        ):
            pages.append(
                (person, reverse("tickets:ticket_detail", kwargs={"number": ticket.number}))
            )
    return pages


def _render(person: Actor, url: str) -> Any:
    response = _zh_client(person).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.mark.django_db
def test_main_pages_leave_no_english_ui_words(
    zh_world: ChineseWorld, catalog: tuple[PoEntry, list[PoEntry]]
) -> None:
    phrases = ENGLISH_UI_WORDS + _catalog_phrases(catalog[1])
    pages = _pages(zh_world)
    assert any("/agent/" in url for _, url in pages), "the agent workspace must be checked"
    found: dict[str, list[str]] = {}
    for person, url in pages:
        content = _render(person, url).content.decode()
        assert _html_lang(content) == ZH, url
        text = visible_text(content, zh_world.user_data)
        assert re.search(r"[\u4e00-\u9fff]", text), url
        leftovers = english_leftovers(text, phrases)
        if leftovers:
            found[url] = leftovers
    assert not found, f"English UI text on Chinese pages: {found}"


@pytest.mark.django_db
def test_main_pages_render_known_chinese_labels(zh_world: ChineseWorld) -> None:
    customer, agent = zh_world.world.customer, zh_world.world.agent
    portal = _render(customer, reverse("portal:ticket_list")).content.decode()
    for label in ("我的工单", "新建工单", "退出登录", "打印机卡纸"):
        assert label in portal
    new = _render(customer, reverse("portal:ticket_create")).content.decode()
    for label in ("提交工单", "标题", "描述"):
        assert label in new
    agent_urls = _agent_pages(zh_world)
    if agent_urls:
        queue = _render(agent, agent_urls[0]).content.decode()
        for label in ("队列", "处理人", "优先级", "本组未分配"):
            assert label in queue
    for url in (u for u in agent_urls if re.search(r"/tickets/\d+/$", u)):
        detail = _render(agent, url).content.decode()
        for label in ("内部备注", "公开回复", "升级", "处理人"):
            assert label in detail


def test_english_stays_the_source_language() -> None:
    with translation.override("en"):
        assert translation.gettext("Internal note") == "Internal note"
    with translation.override(ZH):
        assert translation.gettext("Internal note") == "内部备注"
        assert translation.gettext("Unassigned in my team") == "本组未分配"
