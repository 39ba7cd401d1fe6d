"""Text from the documents made safe for the page, highlighted, and linked to its view."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import urlencode

#: Markdown's own characters: a document's '[link](...)' or '![img](...)' must stay text.
_MARKDOWN = re.compile(r"([\\`*_\[\]~])")

#: The longest quote a document link carries (the view finds the passage by its start).
LINK_QUOTE_CHARS = 300


def escape(text: str) -> str:
    """Text from the documents (or a question), safe in the chat's Markdown: HTML escaped,
    Markdown's link, image and emphasis characters escaped, and no address made a link."""
    # A bare address would still be made a link: its '://' is written as an entity.
    return _MARKDOWN.sub(r"\\\1", html.escape(text)).replace("://", "&#58;//")


def document_link(source: str, quote: str = "") -> str:
    """The in-app view of an indexed document, opened at ``quote`` (relative to the app)."""
    query = {"source": source}
    if quote:
        query["q"] = quote[:LINK_QUOTE_CHARS]
    return "document?" + urlencode(query)


def marked(text: str, spans: Sequence[tuple[int, int]], mark_id: str = "") -> str:
    """``text`` as HTML, each span wrapped in <mark> (the first one with ``mark_id``)."""
    out: list[str] = []
    at = 0
    for n, (start, end) in enumerate(sorted(spans)):
        if start < at:
            continue
        attribute = f' id="{mark_id}"' if mark_id and n == 0 else ""
        out.append(html.escape(text[at:start]))
        out.append(f"<mark{attribute}>{html.escape(text[start:end])}</mark>")
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where the quoted passage is in ``text``: each part of a quote joined with ' … ',
    found with any whitespace between its words (quotes are squashed, texts are not)."""
    spans = []
    for part in quote.split(" … "):
        words = part.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        if found := re.search(pattern, text):
            spans.append(found.span())
    return spans
