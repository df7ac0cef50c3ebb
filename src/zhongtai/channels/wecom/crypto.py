"""The WeCom (企业微信) callback crypto: the published WXBizMsgCrypt protocol.

WeCom signs and encrypts every callback it sends (加解密方案说明):

- ``msg_signature`` is the SHA-1 hex digest of the sorted concatenation of the token, the
  timestamp, the nonce and the Base64 ciphertext;
- the AES key is ``Base64_Decode(EncodingAESKey + "=")``, 32 bytes, for AES-256-CBC with
  the key's first 16 bytes as the IV and PKCS#7 padding to a multiple of 32 bytes;
- the plaintext is ``random(16) + msg_len(4, network byte order) + msg + receiveid``,
  where receiveid is the CorpID for an enterprise's own app (the suite id for a
  third-party app) and must match the configured one.

The signature is checked before anything is decrypted, so only a sender that knows the
token can make this code decrypt a ciphertext (no padding oracle for strangers). AES is
PyCA ``cryptography``; XML goes through defusedxml (``safe_xml``). Nothing here touches
the database or Django: the endpoint builds one :class:`WeComCrypto` per tenant's settings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from zhongtai.channels.wecom.errors import WeComError, WeComErrorCode
from zhongtai.channels.wecom.safe_xml import xml_parse

ENCODING_AES_KEY_LENGTH = 43
BLOCK_SIZE = 32  # PKCS#7 pads to 32 bytes in this protocol, not to AES's 16
RANDOM_LENGTH = 16
_LENGTH_FIELD = 4
_ENCODING_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")
# What may stand in the reply's <TimeStamp> and CDATA <Nonce>: WeCom sends digits, and
# anything else could break out of the XML.
_TIMESTAMP = re.compile(r"[0-9]{1,20}")
_NONCE = re.compile(r"[0-9A-Za-z_-]{1,128}")


def aes_key_decode(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of an EncodingAESKey; raises ``WeComError(ILLEGAL_AES_KEY)``
    unless it is exactly 43 characters of the Base64 alphabet. The message never repeats
    the key."""
    if not isinstance(encoding_aes_key, str) or not _ENCODING_AES_KEY.fullmatch(encoding_aes_key):
        length = len(encoding_aes_key) if isinstance(encoding_aes_key, str) else 0
        raise WeComError(
            WeComErrorCode.ILLEGAL_AES_KEY,
            "EncodingAESKey must be exactly 43 characters of A-Z, a-z, 0-9, '+' and '/' "
            f"(as the WeCom admin console shows it); got {length} characters",
        )
    return base64.b64decode(encoding_aes_key + "=", validate=True)


class WeComCrypto:
    """Signs, verifies, encrypts and decrypts one WeCom app's callbacks.

    ``token`` and ``encoding_aes_key`` are the app's 接收消息 settings in the WeCom admin
    console; ``receive_id`` is the CorpID (or the suite id of a third-party app).
    ``random_bytes`` supplies the 16 random bytes that lead each encrypted message; tests
    pass a fixed one to reproduce published vectors.
    """

    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receive_id: str,
        *,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        if not token:
            raise WeComError(WeComErrorCode.COMPUTE_SIGNATURE, "the token is empty")
        if not receive_id:
            raise WeComError(WeComErrorCode.VALIDATE_RECEIVE_ID, "the receive id is empty")
        self._token = token
        self._key = aes_key_decode(encoding_aes_key)
        self._receive_id = receive_id.encode("utf-8")
        self._random_bytes = random_bytes

    def __repr__(self) -> str:
        # Never the token or the key: this object ends up in tracebacks and logs.
        return f"WeComCrypto(receive_id={self._receive_id.decode('utf-8')!r})"

    # -- signature ---------------------------------------------------------------------

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """The msg_signature of ``encrypted``: SHA-1 hex of the sorted concatenation of
        token, timestamp, nonce and ciphertext."""
        parts = sorted([self._token, timestamp, nonce, encrypted])
        # SHA-1 is what the protocol prescribes; WeCom computes the same digest.
        return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()  # noqa: S324

    def signature_verify(
        self, msg_signature: str, timestamp: str, nonce: str, encrypted: str
    ) -> None:
        """Raises ``WeComError(VALIDATE_SIGNATURE)`` unless ``msg_signature`` signs
        ``encrypted``; the comparison takes the same time wherever they differ."""
        expected = self.signature(timestamp, nonce, encrypted).encode("ascii")
        if not hmac.compare_digest(expected, msg_signature.encode("utf-8")):
            raise WeComError(WeComErrorCode.VALIDATE_SIGNATURE, "msg_signature does not match")

    # -- the callback's three operations -----------------------------------------------

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """URL verification (the GET WeCom sends when the callback URL is saved): checks
        the signature over ``echostr``, decrypts it and returns the plaintext that the
        endpoint must answer with, as it is. The query values must be URL-decoded."""
        self.signature_verify(msg_signature, timestamp, nonce, echostr)
        plain = self.decrypt_payload(echostr)
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WeComError(WeComErrorCode.ILLEGAL_BUFFER, "echostr is not UTF-8") from exc

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, post_xml: bytes) -> bytes:
        """A received message: parses the POST body ``<xml><Encrypt>…</Encrypt>…</xml>``,
        checks the signature over its ciphertext and returns the decrypted inner XML
        (``messages.message_parse`` reads it)."""
        encrypted = self._encrypt_element(post_xml)
        self.signature_verify(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt_payload(encrypted)

    def encrypt(self, reply_xml: str, nonce: str, timestamp: str | None = None) -> str:
        """The passive encrypted reply to a callback: ``reply_xml`` encrypted and signed,
        wrapped in ``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``.
        ``timestamp`` defaults to now; ``nonce`` may be the request's."""
        if timestamp is None:
            timestamp = str(int(time.time()))
        if not _TIMESTAMP.fullmatch(timestamp) or not _NONCE.fullmatch(nonce):
            raise WeComError(
                WeComErrorCode.GEN_RETURN_XML,
                "the reply's timestamp must be digits and its nonce letters, digits, '_' or '-'",
            )
        encrypted = self.encrypt_payload(reply_xml.encode("utf-8"))
        signature = self.signature(timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )

    # -- the payload, without signature --------------------------------------------------

    def encrypt_payload(self, msg: bytes) -> str:
        """The Base64 ciphertext of ``msg`` in the protocol's layout (no signature)."""
        random = self._random_bytes(RANDOM_LENGTH)
        if len(random) != RANDOM_LENGTH:
            raise WeComError(WeComErrorCode.ENCRYPT_AES, "the random prefix is not 16 bytes")
        plain = random + len(msg).to_bytes(_LENGTH_FIELD, "big") + msg + self._receive_id
        padded = _pkcs7_pad(plain)
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")

    def decrypt_payload(self, encrypted: str) -> bytes:
        """The message inside the Base64 ciphertext ``encrypted``, after checking its
        padding, its layout and its receiveid. It does not check a signature: callers
        verify one first."""
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WeComError(WeComErrorCode.DECODE_BASE64, "the ciphertext is not Base64") from exc
        if not ciphertext or len(ciphertext) % 16:
            raise WeComError(
                WeComErrorCode.DECRYPT_AES,
                f"the ciphertext is {len(ciphertext)} bytes, not a whole number of AES blocks",
            )
        decryptor = self._cipher().decryptor()
        plain = _pkcs7_unpad(decryptor.update(ciphertext) + decryptor.finalize())
        return self._unwrap(plain)

    # -- internals -----------------------------------------------------------------------

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def _unwrap(self, plain: bytes) -> bytes:
        """``msg`` out of ``random + msg_len + msg + receiveid``, checking receiveid."""
        header = RANDOM_LENGTH + _LENGTH_FIELD
        if len(plain) < header:
            raise WeComError(WeComErrorCode.ILLEGAL_BUFFER, "the plaintext is too short")
        msg_len = int.from_bytes(plain[RANDOM_LENGTH:header], "big")
        if header + msg_len > len(plain):
            raise WeComError(
                WeComErrorCode.ILLEGAL_BUFFER, "msg_len runs past the end of the plaintext"
            )
        msg = plain[header : header + msg_len]
        receive_id = plain[header + msg_len :]
        if not hmac.compare_digest(receive_id, self._receive_id):
            raise WeComError(
                WeComErrorCode.VALIDATE_RECEIVE_ID,
                "the message is for another receive id (CorpID or suite id)",
            )
        return msg

    @staticmethod
    def _encrypt_element(post_xml: bytes) -> str:
        """The text of the one ``<Encrypt>`` child of the POST body's root."""
        root = xml_parse(post_xml)
        found = root.findall("Encrypt")
        if len(found) != 1 or len(found[0]) or not (found[0].text or "").strip():
            raise WeComError(
                WeComErrorCode.PARSE_XML, "the body must hold exactly one non-empty <Encrypt>"
            )
        return (found[0].text or "").strip()


def _pkcs7_pad(data: bytes) -> bytes:
    pad = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([pad]) * pad


def _pkcs7_unpad(data: bytes) -> bytes:
    """``data`` without its PKCS#7 padding (1 to 32 bytes, each the pad's length); raises
    ``WeComError(DECRYPT_AES)`` when the padding is wrong, which is what a wrong key or a
    damaged ciphertext looks like."""
    pad = data[-1]
    if not 1 <= pad <= BLOCK_SIZE or pad > len(data) or data[-pad:] != bytes([pad]) * pad:
        raise WeComError(WeComErrorCode.DECRYPT_AES, "bad PKCS#7 padding")
    return data[:-pad]
