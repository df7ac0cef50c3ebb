"""Parsing the XML that WeCom posts, which is untrusted input from the internet.

defusedxml refuses entity declarations, external entities and DTDs (billion laughs, XXE);
WeCom never sends a DTD, so any document with one is rejected outright.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from zhongtai.channels.wecom.errors import WeComError, WeComErrorCode


def xml_parse(data: bytes | str) -> Element:
    """The root element of ``data``; raises ``WeComError(PARSE_XML)`` for anything that is
    not one well-formed XML document without a DTD."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WeComError(
            WeComErrorCode.PARSE_XML, f"not acceptable XML ({type(exc).__name__})"
        ) from exc
