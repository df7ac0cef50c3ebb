"""WeCom (企业微信) callbacks: the WXBizMsgCrypt protocol and the messages it carries.

Pure code, no models: an endpoint builds a :class:`WeComCrypto` from a tenant's corp id,
token and EncodingAESKey, calls ``verify_url`` for WeCom's GET and ``decrypt`` for its
POST, and reads the result with :func:`message_parse`.
"""

from zhongtai.channels.wecom.crypto import WeComCrypto, aes_key_decode
from zhongtai.channels.wecom.errors import WeComError, WeComErrorCode
from zhongtai.channels.wecom.messages import WeComMessage, message_parse

__all__ = [
    "WeComCrypto",
    "WeComError",
    "WeComErrorCode",
    "WeComMessage",
    "aes_key_decode",
    "message_parse",
]
