"""HTML bodies made safe to show, and the plain text inside them.

nh3 (the Rust ``ammonia`` sanitizer) keeps an allow list: no scripts, styles, forms,
frames, event handlers or ``style`` attributes; links only to http(s), mailto and tel;
images from http(s) and from ``cid:`` (the mail's own inline images, which the caller
rewrites to the stored attachments' URLs). The text is read from the sanitized HTML, with
``<blockquote>`` lines marked ``> `` so that quoted history is folded like a plain-text reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup", "dd",
    "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan", "valign"},
    "th": {"align", "colspan", "rowspan", "valign"},
    "ol": {"start"},
    "blockquote": {"type"},
    "div": {"class"},
    "font": {"color"},
}
SCHEMES = {"http", "https", "mailto", "tel", "cid"}
# Content that is never text for a reader.
DROPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}

_BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "table",
    "dl", "dt", "dd", "ul", "ol", "caption", "center",
}  # fmt: skip
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING = re.compile(r"[ \t]+\n")


def sanitize_html(unsafe: str) -> str:
    """Mail HTML reduced to the allow list (``cid:`` image sources kept)."""
    return nh3.clean(
        unsafe,
        tags=TAGS,
        clean_content_tags=DROPPED,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quote = 0
        self.pre = 0
        self.at_line_start = True

    def _newline(self) -> None:
        self.out.append("\n")
        self.at_line_start = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            self.quote += 1
            self._newline()
        elif tag in _BLOCKS:
            self._newline()
            if tag == "li":
                self.handle_data("- ")
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag in _BLOCKS:
            self._newline()
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        if self.at_line_start:
            data = data.lstrip(" ") if not self.pre else data
            if not data:
                return
            if self.quote:
                self.out.append("> " * self.quote)
        lines = data.split("\n")
        self.out.append(lines[0])
        for line in lines[1:]:
            self.out.append("\n" + ("> " * self.quote) + line)
        self.at_line_start = False


def html_to_text(html: str) -> str:
    """The readable text of (sanitized) HTML: blocks on their own lines, quotes as ``> ``."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out).replace("\xa0", " ")
    text = _TRAILING.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_for_display(html: str, images: Mapping[str, str]) -> str:
    """Stored (sanitized) mail HTML, ready for the page: ``cid:`` images point at the
    stored attachments (``images`` maps a lower-case Content-ID to its URL). Images from
    the internet are not loaded: they can track who read the mail and when, and an
    intranet often cannot reach them; their ``alt`` text stays."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        if value[:4].lower() == "cid:":  # an image (or a link to one) of the mail itself
            return images.get(value[4:].strip().strip("<>").lower())
        if tag == "img" and name == "src":
            return None
        return value

    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,  # (checked before the filter, which replaces every cid:)
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute,
    )
