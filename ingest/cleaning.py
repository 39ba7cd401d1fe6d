"""Cleaning what printing a web page to PDF leaves behind, without losing a sentence.

Printed pages break lines mid-sentence, split words at line ends, add a block of link URLs
at the foot of each page, keep button texts ("Lees verder onder de foto") and icon glyphs
from private-use code points. The result is one text of paragraphs, with the page on which
each character started, so that chunks can cite pages.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from index.lexicon import phrases, words
from index.text import BULLET

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_URL_LINE = re.compile(r"^(?:https?://|mailto:|www\.)\S+$", re.IGNORECASE)
_URL_CONTINUATION = re.compile(r"^[\w\-./%?=&#~+:@]+$")
#: A page's buttons and links ('Lees verder onder de foto'), each a whole line.
_NAVIGATION = [re.compile(f"^{p}$", re.IGNORECASE) for p in phrases("navigation_lines", ("nl",))]
#: A page's topic lines ('Thema's: Zorg, Welzijn'), lifted out of the text.
_THEMES = re.compile(
    r"^(?:" + "|".join(phrases("theme_labels", ("nl",))) + r")\s*:\s*(.*)$", re.IGNORECASE
)
_KEYWORDS = re.compile(
    r"^(?:" + "|".join(phrases("keyword_labels", ("nl",))) + r")\s*:\s*(.*)$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)»\]]*$")
_MD_HEADING = re.compile(r"^#{1,6}(?:\s+|$)")
_WORD = re.compile(r"\w+")
# Words after which a sentence cannot end: a capital on the next line continues the sentence.
_FUNCTION_WORDS = words("function_words")
#: The same words, for other modules (a title does not end on one either).
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS)


@dataclass
class Line:
    text: str
    page: int
    soft_wrap: bool  # the source marked the break as a wrap (a trailing space)
    explicit_break: bool = False  # markdown heading / bullet / html block: never joined
    in_block: bool = False  # from a source whose lines within a block always belong together


@dataclass
class Paragraph:
    start: int
    end: int
    is_heading: bool


@dataclass
class CleanText:
    """The cleaned text and what was lifted out of it."""

    text: str
    paragraphs: list[Paragraph]
    page_starts: list[tuple[int, int]]  # (offset in text, page number), ascending
    links: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        starts = [o for o, _ in self.page_starts]
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        return self.page_starts[i][1] if self.page_starts else 1

    def paragraph_text(self, paragraph: Paragraph) -> str:
        return self.text[paragraph.start : paragraph.end]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\r\n", "\n")
    text = text.replace("\r", "\n").replace("\f", "\n")
    return _PRIVATE_USE.sub("", text)


def is_navigation(line: str) -> bool:
    return any(p.match(line) for p in _NAVIGATION)


def clean_pages(pages: list[str], block_paragraphs: bool = False) -> CleanText:
    """Clean a document given as page texts (1-based pages).

    ``block_paragraphs`` is for sources whose blank lines mean paragraph breaks
    (HTML, Markdown); printed text (PDF, text extracted from PDF) gets line-joining
    heuristics instead.
    """
    links: list[str] = []
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        lines.extend(_page_lines(normalise(page), number, links, block_paragraphs))
    width = _typical_width(lines)
    vocabulary = _Vocabulary.of(pages)
    raw_paragraphs = _join_lines(lines, width, vocabulary)
    themes, keywords, body = _lift_topics(raw_paragraphs)
    return _assemble(body, links, themes, keywords)


def _page_lines(page: str, number: int, links: list[str], blocks: bool) -> list[Line]:
    out: list[Line] = []
    previous_blank = True
    after_url = False
    for raw in page.split("\n"):
        stripped = raw.strip()
        if not stripped:
            previous_blank = True
            continue
        if _URL_LINE.match(stripped):
            links.append(stripped)
            after_url = True
            continue
        if after_url and _is_url_continuation(stripped, links):
            links[-1] += stripped
            after_url = False
            continue
        after_url = False
        if is_navigation(stripped):
            continue
        explicit = bool(_MD_HEADING.match(stripped) or BULLET.match(stripped)) or (
            blocks and previous_blank
        )
        text = re.sub(r"[ \t]+", " ", _MD_HEADING.sub("", stripped) if blocks else stripped)
        if not text:
            continue  # a heading marker with no heading ('#'): joined on, it would become one
        out.append(Line(text, number, raw.endswith(" "), explicit, blocks))
        previous_blank = False
    return out


def _is_url_continuation(line: str, links: list[str]) -> bool:
    """A URL too long for the page wraps onto a line of its own: no spaces, path characters."""
    return (
        len(links[-1]) >= 80
        and " " not in line
        and not re.search(r"[.!?,;:]$", line)
        and bool(_URL_CONTINUATION.match(line))
    )


def _typical_width(lines: list[Line]) -> int:
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 20)
    if not lengths:
        return 80
    return lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0]


@dataclass
class _Vocabulary:
    """How the document itself spells words, used to judge line ends."""

    words: set[str]  # every word, lower-cased, hyphenated compounds included
    lowercase: set[str]  # words the document writes in lower case somewhere

    @classmethod
    def of(cls, pages: list[str]) -> _Vocabulary:
        tokens = [w for page in pages for w in re.findall(r"[\w-]+", page)]
        return cls({w.lower() for w in tokens}, {w for w in tokens if w.islower()})

    def starts_new_item(self, a: str, b: str) -> bool:
        """A capitalised ordinary word after a line that can end: a new sentence or list item."""
        first = re.match(r"\w+", b)
        last = re.search(r"(\w+)\W*$", a)
        if not first or not last or last.group(1).lower() in _FUNCTION_WORDS:
            return False
        return first.group(0).lower() in self.lowercase


def _starts_lower(text: str) -> bool:
    return bool(text) and (text[0].islower() or text[0] in "(,.;:)»”’")


def _should_join(a: Line, b: Line, width: int, vocabulary: _Vocabulary) -> bool:
    """Is the break between ``a`` and ``b`` a wrap inside a paragraph?"""
    if b.explicit_break:
        return False
    if b.in_block:
        return True
    if _SENTENCE_END.search(a.text):
        return _starts_lower(b.text) and not a.text.endswith((".", "?", "!", "…"))
    if a.text.endswith("-") and not a.text.endswith(" -"):
        return True
    if _starts_lower(b.text) or (a.text and a.text[0].islower() and not b.text[0].isupper()):
        return True
    if b.text[0].isdigit():
        return a.soft_wrap or len(a.text) >= 0.6 * width
    if a.soft_wrap:
        return True
    return len(a.text) >= 0.75 * width and not vocabulary.starts_new_item(a.text, b.text)


def _join_pair(left: str, right: str, words: set[str]) -> str:
    """Join two wrapped lines; a line-end hyphen stays unless the document spells the word whole."""
    if left.endswith("-") and not left.endswith(" -"):
        head = re.search(r"(\w+)-$", left)
        tail = re.match(r"\w+", right)
        if head and tail and tail.group(0).islower():
            whole = (head.group(1) + tail.group(0)).lower()
            hyphenated = f"{head.group(1)}-{tail.group(0)}".lower()
            if whole in words and hyphenated not in words:
                return left[:-1] + right
        return left + right
    return f"{left} {right}"


@dataclass
class _RawParagraph:
    text: str
    page_starts: list[tuple[int, int]]  # offsets within this paragraph's text


def _join_lines(lines: list[Line], width: int, vocabulary: _Vocabulary) -> list[_RawParagraph]:
    """The lines joined into paragraphs. A paragraph's text is gathered line by line and
    joined once: extending one string per line copied the whole paragraph each time, and a
    20 MB text with no sentence ends (one paragraph) took hours."""
    paragraphs: list[_RawParagraph] = []
    parts: list[str] = []  # the current paragraph's text; its last line is the last part
    length = 0
    for i, line in enumerate(lines):
        if paragraphs and i > 0 and _should_join(lines[i - 1], line, width, vocabulary):
            current = paragraphs[-1]
            # Only the paragraph's last word decides the join (its hyphen, whether the
            # document spells it whole), and every join ends with the new line's text.
            joined = _join_pair(parts[-1], line.text, vocabulary.words)
            length += len(joined) - len(parts[-1])
            cut = _last_word_start(joined, len(joined) - len(line.text))
            parts[-1] = joined[:cut]
            parts.append(joined[cut:])
            if line.page != current.page_starts[-1][1]:
                current.page_starts.append((length - len(line.text), line.page))
        else:
            if paragraphs:
                paragraphs[-1].text = "".join(parts)
            paragraphs.append(_RawParagraph("", [(0, line.page)]))
            parts, length = [line.text], len(line.text)
    if paragraphs:
        paragraphs[-1].text = "".join(parts)
    return paragraphs


def _last_word_start(text: str, end: int, longest: int = 100) -> int:
    """Where the word run that ends at ``end`` starts (a word split over lines continues
    there), looking back at most ``longest`` characters."""
    start = end
    while start > max(0, end - longest) and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start


def _lift_topics(
    paragraphs: list[_RawParagraph],
) -> tuple[list[str], list[str], list[_RawParagraph]]:
    themes: list[str] = []
    keywords: list[str] = []
    body: list[_RawParagraph] = []
    for paragraph in paragraphs:
        if m := _THEMES.match(paragraph.text):
            themes.extend(_split_topics(m.group(1)))
        elif m := _KEYWORDS.match(paragraph.text):
            keywords.extend(_split_topics(m.group(1)))
        else:
            body.append(paragraph)
    return themes, keywords, body


def _split_topics(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def looks_like_heading(text: str) -> bool:
    words = _WORD.findall(text)
    return (
        0 < len(words) <= 10
        and len(text) <= 80
        and not re.search(r"[.,;:]$", text)
        and (text[0].isupper() or text[0].isdigit())
    )


def _assemble(
    body: list[_RawParagraph], links: list[str], themes: list[str], keywords: list[str]
) -> CleanText:
    text_parts: list[str] = []
    paragraphs: list[Paragraph] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for i, raw in enumerate(body):
        if text_parts:
            offset += 2  # the "\n\n" between paragraphs
        for local, page in raw.page_starts:
            if not page_starts or page_starts[-1][1] != page:
                page_starts.append((offset + local, page))
        following = body[i + 1].text if i + 1 < len(body) else ""
        preceding = body[i - 1].text if i else ""
        # A heading introduces prose; a run of short lines (a date, a time, a place) is a
        # block of details that belongs together, not a series of headings.
        heading = (
            looks_like_heading(raw.text)
            and bool(following)
            and not looks_like_heading(following)
            and not (preceding and looks_like_heading(preceding))
        )
        paragraphs.append(Paragraph(offset, offset + len(raw.text), heading))
        text_parts.append(raw.text)
        offset += len(raw.text)
    return CleanText(
        text="\n\n".join(text_parts),
        paragraphs=paragraphs,
        page_starts=page_starts or [(0, 1)],
        links=links,
        themes=list(dict.fromkeys(themes)),
        keywords=list(dict.fromkeys(keywords)),
    )


def most_cited_link(links: list[str]) -> str | None:
    """The page's own address: printed pages repeat it in every footer; else the first link."""
    candidates = [u for u in links if u.lower().startswith("http") and _has_path(u)]
    if not candidates:
        return None
    counts = Counter(candidates)
    best = max(counts.values())
    return next(u for u in candidates if counts[u] == best)


def _has_path(url: str) -> bool:
    path = re.sub(r"^https?://[^/]+", "", url).strip("/")
    return (len(path) > 8 and "/" in path) or "-" in path
