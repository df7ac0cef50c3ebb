"""A received WeCom message or event, read from the decrypted inner XML.

WeCom's inner XML is flat (``<xml><ToUserName/><FromUserName/><CreateTime/><MsgType/>…
</xml>``), with a few nested blocks in some events (``<ScanCodeInfo>``,
``<SendPicsInfo><PicList><item>…``). :func:`message_parse` takes out the fields that
routing a message needs and keeps every field in ``raw``, so an unknown message type or a
field added by WeCom later is carried along, not refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from xml.etree.ElementTree import Element

from zhongtai.channels.wecom.errors import WeComError, WeComErrorCode
from zhongtai.channels.wecom.safe_xml import xml_parse


@dataclass(frozen=True)
class WeComMessage:
    """One received message or event.

    Fields are WeCom's text as sent (``""`` when absent); ``create_time`` is an aware UTC
    datetime, ``None`` when CreateTime is missing or not a number of seconds. ``raw`` maps
    every element to its text, nested ones as ``Parent.Child`` (the first of repeated
    elements wins). ``user_id`` is the member of the enterprise in 客户联系 events
    (``UserID``), ``external_user_id`` the customer (``ExternalUserID``).
    """

    msg_type: str
    from_user: str = ""
    to_user: str = ""
    create_time: datetime | None = None
    content: str = ""
    msg_id: str = ""
    agent_id: str = ""
    event: str = ""
    change_type: str = ""
    user_id: str = ""
    external_user_id: str = ""
    raw: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"


def message_parse(inner_xml: bytes | str) -> WeComMessage:
    """The message in ``inner_xml`` (what ``WeComCrypto.decrypt`` returns); raises
    ``WeComError(PARSE_XML)`` when it is not a WeCom ``<xml>`` document with a MsgType
    (or ``InfoType``, which the suite's own callbacks carry instead)."""
    root = xml_parse(inner_xml)
    if root.tag != "xml":
        raise WeComError(WeComErrorCode.PARSE_XML, f"the root element is <{root.tag}>, not <xml>")
    raw = _flatten(root)
    msg_type = raw.get("MsgType", "").strip() or raw.get("InfoType", "").strip()
    if not msg_type:
        raise WeComError(WeComErrorCode.PARSE_XML, "the message has no MsgType")

    def word(tag: str) -> str:
        # Identifiers and names carry no meaningful spaces; Content keeps its own.
        return raw.get(tag, "").strip()

    return WeComMessage(
        msg_type=msg_type,
        from_user=word("FromUserName"),
        to_user=word("ToUserName"),
        create_time=_create_time(word("CreateTime")),
        content=raw.get("Content", ""),
        msg_id=word("MsgId"),
        agent_id=word("AgentID"),
        event=word("Event"),
        change_type=word("ChangeType"),
        user_id=word("UserID"),
        external_user_id=word("ExternalUserID"),
        raw=MappingProxyType(raw),
    )


def _flatten(root: Element) -> dict[str, str]:
    """Every element under ``root`` by its dotted path, to its text (stripped for
    elements that hold others, as is for leaves: a message's content keeps its spaces)."""
    flat: dict[str, str] = {}
    stack: list[tuple[str, Element]] = [("", child) for child in reversed(root)]
    while stack:
        prefix, element = stack.pop()
        key = f"{prefix}{element.tag}"
        if len(element):
            flat.setdefault(key, (element.text or "").strip())
            stack.extend((f"{key}.", child) for child in reversed(element))
        else:
            flat.setdefault(key, element.text or "")
    return flat


def _create_time(text: str) -> datetime | None:
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    return datetime.fromtimestamp(int(text), tz=UTC)
