"""Reading a decrypted WeCom message (channels/wecom/messages.py).

Samples: the official callback sample's plaintext (sbzhu/weworkapi_php callback/Sample.php
@ f2c836f5), and the 客户联系 events that binarywang/WxJava's
weixin-java-cp/src/test/java/me/chanjar/weixin/cp/bean/message/WxCpXmlMessageTest.java
(commit 7b4b2810) takes from WeCom's documentation (添加企业客户事件, 删除企业客户事件).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from zhongtai.channels.wecom import WeComError, WeComErrorCode, WeComMessage, message_parse

pytestmark = pytest.mark.no_database

OFFICIAL_PLAIN = (
    b"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    b"<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    b"<CreateTime>1409659813</CreateTime>\n"
    b"<MsgType><![CDATA[text]]></MsgType>\n"
    b"<Content><![CDATA[hello]]></Content>\n"
    b"<MsgId>4561255354251345929</MsgId>\n"
    b"<AgentID>218</AgentID>\n"
    b"</xml>"
)
# WxJava testAddExternalUserEvent, as written there (note the legal "</xml >").
ADD_EXTERNAL_CONTACT = (
    "<xml>"
    "<ToUserName><![CDATA[toUser]]></ToUserName>"
    "<FromUserName><![CDATA[sys]]></FromUserName>"
    "<CreateTime>1403610513</CreateTime>"
    "<MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[change_external_contact]]></Event>"
    "<ChangeType><![CDATA[add_external_contact]]></ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID>"
    "<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>"
    "<State><![CDATA[teststate]]></State>"
    "<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>"
    "</xml >"
)


def test_official_text_message() -> None:
    message = message_parse(OFFICIAL_PLAIN)
    assert message == WeComMessage(
        msg_type="text",
        from_user="mycreate",
        to_user="wx5823bf96d3bd56c7",
        create_time=datetime(2014, 9, 2, 12, 10, 13, tzinfo=UTC),
        content="hello",
        msg_id="4561255354251345929",
        agent_id="218",
    )
    assert message.create_time is not None
    assert message.create_time.tzinfo is UTC
    assert not message.is_event
    assert message.raw["MsgId"] == "4561255354251345929"


def test_external_contact_event() -> None:
    message = message_parse(ADD_EXTERNAL_CONTACT)
    assert message.is_event
    assert message.event == "change_external_contact"
    assert message.change_type == "add_external_contact"
    assert (message.user_id, message.external_user_id) == (
        "zhangsan",
        "woAJ2GCAAAXtWyujaWJHDDGi0mACH71w",
    )
    assert message.from_user == "sys"
    assert message.create_time == datetime(2014, 6, 24, 11, 48, 33, tzinfo=UTC)
    # Fields with no attribute of their own are kept in raw.
    assert message.raw["State"] == "teststate"
    assert message.raw["WelcomeCode"] == "WELCOMECODE"


def test_unknown_fields_and_types_are_carried_not_refused() -> None:
    message = message_parse(
        "<xml><ToUserName>corp</ToUserName><FromUserName>lisi</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>future_type</MsgType>"
        "<SomethingNew attr='1'>value</SomethingNew><AgentID>1000002</AgentID></xml>"
    )
    assert message.msg_type == "future_type"
    assert message.raw["SomethingNew"] == "value"
    assert message.content == ""


def test_nested_elements_are_flattened_by_path() -> None:
    """Event blocks such as a scanned code's ScanCodeInfo (自定义菜单 scancode_push)."""
    message = message_parse(
        "<xml><MsgType>event</MsgType><Event>scancode_push</Event><EventKey>k</EventKey>"
        "<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"
        "<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
        "<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo></xml>"
    )
    assert message.raw["ScanCodeInfo.ScanType"] == "qrcode"
    assert message.raw["ScanCodeInfo.ScanResult"] == "1"
    assert message.raw["SendPicsInfo.Count"] == "2"
    assert message.raw["SendPicsInfo.PicList.item.PicMd5Sum"] == "a"  # the first one wins


def test_content_keeps_its_spaces_and_identifiers_lose_theirs() -> None:
    message = message_parse(
        "<xml>\n  <MsgType> text </MsgType>\n  <FromUserName>\n    lisi\n  </FromUserName>\n"
        "  <Content><![CDATA[  两个空格\n第二行 ]]></Content>\n</xml>"
    )
    assert (message.msg_type, message.from_user) == ("text", "lisi")
    assert message.content == "  两个空格\n第二行 "


@pytest.mark.parametrize("value", ["", "abc", "-1", "1e9", "１２３", "9" * 40])
def test_create_time_that_is_not_seconds_is_none(value: str) -> None:
    xml = f"<xml><MsgType>text</MsgType><CreateTime>{value}</CreateTime></xml>"
    message = message_parse(xml)
    assert message.create_time is None
    assert message.raw["CreateTime"] == value


def test_suite_callbacks_use_info_type() -> None:
    message = message_parse(
        "<xml><SuiteId>ww4asffe99e54c0f4c</SuiteId><InfoType>suite_ticket</InfoType>"
        "<TimeStamp>1403610513</TimeStamp><SuiteTicket>asdfasfdasdfasdf</SuiteTicket></xml>"
    )
    assert message.msg_type == "suite_ticket"
    assert message.raw["SuiteTicket"] == "asdfasfdasdfasdf"


@pytest.mark.parametrize(
    "xml",
    [
        b"<xml><Content>no type</Content></xml>",
        b"<message><MsgType>text</MsgType></message>",
        b"<xml><MsgType>text</MsgType>",
        b"",
        b"<xml><MsgType>text</MsgType><Content>\xff</Content></xml>",  # not UTF-8
    ],
)
def test_documents_that_are_not_a_message_are_refused(xml: bytes) -> None:
    with pytest.raises(WeComError) as excinfo:
        message_parse(xml)
    assert excinfo.value.code == WeComErrorCode.PARSE_XML


def test_message_is_frozen() -> None:
    message = message_parse(OFFICIAL_PLAIN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        message.raw["Content"] = "changed"  # type: ignore[index]
