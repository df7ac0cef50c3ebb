"""Articles are written in Markdown; this turns it into HTML that is safe to show.

markdown-it-py renders CommonMark with tables and strike-through. Raw HTML inside the
Markdown is allowed, because articles imported from other knowledge bases are often HTML,
so everything is then passed through nh3 (the Rust ``ammonia`` sanitizer) with an allow
list: no scripts, styles, event handlers, forms or frames; links only to http(s), mailto
and tel, images only from http(s) or our own paths; every link gets
``rel="noopener noreferrer nofollow"``. The plain text (for search and snippets) is taken
from the sanitized HTML, so nothing hidden can reach the index either.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
SCHEMES = {"http", "https", "mailto", "tel"}

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|pre|blockquote|td|th)>|<br\s*/?>", re.IGNORECASE)


def sanitize(unsafe_html: str) -> str:
    """HTML from anywhere, reduced to the allow list."""
    return nh3.clean(
        unsafe_html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(markdown: str) -> str:
    """Markdown (with HTML inside it, if any) as sanitized HTML."""
    return sanitize(_md.render(markdown))


def plain_text(markdown: str) -> str:
    """The readable text of an article: rendered, sanitized, tags removed, spaces folded."""
    text = _BLOCK_END.sub(lambda m: m.group(0) + "\n", render(markdown))
    text = html.unescape(_TAG.sub(" ", text))
    return "\n".join(
        line for line in (_SPACE.sub(" ", part).strip() for part in text.split("\n")) if line
    )
