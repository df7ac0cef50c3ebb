"""The WeCom callback's errors, with the error codes of the official WXBizMsgCrypt samples.

The codes are those of ``ierror.py`` / ``errorCode.php`` in Tencent's callback samples
(sbzhu/weworkapi_python, sbzhu/weworkapi_php), so that a log line can be matched against
WeCom's documentation and its admin console. Messages are for logs and developers: they
never contain the token, the key or the decrypted message. A page that shows one to an
administrator translates it by its ``code``.
"""

from __future__ import annotations

from enum import IntEnum


class WeComErrorCode(IntEnum):
    """Error codes of the published WXBizMsgCrypt protocol (``WXBizMsgCrypt_*``)."""

    VALIDATE_SIGNATURE = -40001  # msg_signature does not match
    PARSE_XML = -40002  # the POST body (or the decrypted message) is not acceptable XML
    COMPUTE_SIGNATURE = -40003  # the signature could not be computed
    ILLEGAL_AES_KEY = -40004  # EncodingAESKey is not 43 Base64 characters
    VALIDATE_RECEIVE_ID = -40005  # the receiveid (CorpID / suite id) does not match
    ENCRYPT_AES = -40006  # AES encryption failed
    DECRYPT_AES = -40007  # AES decryption failed: bad length or bad PKCS#7 padding
    ILLEGAL_BUFFER = -40008  # the decrypted buffer does not have the protocol's layout
    ENCODE_BASE64 = -40009  # Base64 encoding failed
    DECODE_BASE64 = -40010  # the ciphertext is not Base64
    GEN_RETURN_XML = -40011  # the reply XML could not be generated


class WeComError(Exception):
    """A WeCom callback could not be verified, decrypted, parsed or answered.

    ``code`` is one of :class:`WeComErrorCode`; ``message`` says what was wrong without
    repeating secrets or the message.
    """

    def __init__(self, code: WeComErrorCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{int(code)}: {message}")
