"""WordPress text filters, reduced to what changes the API's answers.

``kses`` is what WooCommerce runs over product names and descriptions on write (so ``&`` comes back
as ``&amp;``), ``term_name`` what WordPress runs over category and tag names, ``autop`` and
``texturize`` what ``context=view`` adds to descriptions, and ``sanitize_title`` how slugs are made.
"""

from __future__ import annotations

import re
import unicodedata

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
_SPLIT = re.compile(r"(<!--.*?(?:-->|$))|(<[^>]*(?:>|$)|>)", re.S)
_TAG = re.compile(r"^<\s*(/\s*)?([a-zA-Z0-9-]+)([^>]*)>?$", re.S)
_EVENT_ATTR = re.compile(r"""\s+on\w+\s*=\s*("[^"]*"|'[^']*'|\S+)""", re.I)
_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")
_BLOCK = re.compile(
    r"^<(?:p|div|ul|ol|li|h[1-6]|table|blockquote|pre|figure|hr|dl|form|section|address)\b", re.I
)


def normalize_entities(text: str) -> str:
    """``&`` that does not start an entity becomes ``&amp;`` (wp_kses_normalize_entities)."""
    return _AMP.sub("&amp;", text)


def _kses_piece(piece: str) -> str:
    if not piece.startswith("<"):
        return "&gt;"
    if piece.startswith("<!--"):
        return piece
    match = _TAG.match(piece)
    if not match:
        return ""
    slash, element, attributes = match.groups()
    if element.lower() not in ALLOWED_TAGS:
        return ""
    if slash:
        return f"</{element}>"
    attributes = _EVENT_ATTR.sub("", attributes).rstrip()
    closing = " /" if attributes.endswith("/") else ""
    attributes = attributes.rstrip("/").rstrip()
    return f"<{element}{attributes}{closing}>"


def kses(text: str) -> str:
    """wp_filter_post_kses, simplified: allowed tags kept, others removed, entities normalised."""
    text = normalize_entities(text.replace("\x00", ""))
    return _SPLIT.sub(lambda m: _kses_piece(m.group(0)), text)


def term_name(text: str) -> str:
    """How WordPress stores a term name: tags stripped, whitespace collapsed, ``& < >`` escaped."""
    text = re.sub(r"<[^>]*>", "", text)
    text = " ".join(text.split())
    return normalize_entities(text).replace("<", "&lt;").replace(">", "&gt;")


def sanitize_title(text: str) -> str:
    """sanitize_title_with_dashes: lower case ASCII words joined by dashes."""
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"&[^;\s]*;", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_\s-]", "", text.lower())
    text = re.sub(r"[\s-]+", "-", text)
    return text.strip("-")


def _texturize_text(text: str) -> str:
    text = text.replace("...", "&#8230;").replace("---", "&#8212;")
    text = text.replace(" -- ", " &#8212; ").replace("--", "&#8211;").replace(" - ", " &#8211; ")
    text = re.sub(r"(^|[\s(\[{\"-])'", r"\1&#8216;", text)
    text = text.replace("'", "&#8217;")
    text = re.sub(r'(^|[\s(\[{-])"', r"\1&#8220;", text)
    return text.replace('"', "&#8221;")


def texturize(text: str) -> str:
    """wptexturize, reduced: curly quotes, dashes and ellipses in text, never inside tags."""
    parts = re.split(r"(<[^>]*>)", text)
    return "".join(part if part.startswith("<") else _texturize_text(part) for part in parts)


def autop(text: str) -> str:
    """wpautop, reduced: blank-line separated paragraphs become ``<p>..</p>\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if _BLOCK.match(paragraph):
            out.append(paragraph + "\n")
        else:
            out.append("<p>" + paragraph.replace("\n", "<br />\n") + "</p>\n")
    return "".join(out)


def render_content(text: str) -> str:
    """What ``context=view`` shows for a description: texturized, then paragraphs."""
    return autop(texturize(text))
