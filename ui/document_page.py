"""The document view: any indexed document's cleaned text inside the app, opened at the
quoted passage, highlighted. Sources without a web address link here, and so does every
passage of the staff search."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import gradio as gr

from assistant.api import Assistant, RvError
from ui.error_texts import error_text
from ui.markup import marked, quote_spans
from ui.texts import Texts, texts, texts_for

#: Scrolls the highlighted passage into the middle of the screen once the text is there.
_SCROLL_TO_QUOTE = """() => {
  const scroll = () => {
    const mark = document.getElementById('quoted');
    if (mark) { mark.scrollIntoView({block: 'center'}); return true; }
    return false;
  };
  if (!scroll()) { setTimeout(scroll, 300); }
}"""

_CSS = """
#document-view .document-text { white-space: pre-wrap; line-height: 1.55; max-width: 46em; }
#document-view mark { background: #ffe58a; padding: 0 .1em; }
"""


def render_document(
    assistant: Assistant,
    served: Sequence[str],
    source: str,
    quote: str,
    words: Texts | None = None,
) -> str:
    """The document's page as HTML; only indexed documents, never any other file."""
    words = words or texts()
    back = f'<p><a href="./" id="back-to-chat">{words("back_to_chat")}</a></p>'
    if not source or source not in served:
        return f"{back}<p>{words('not_in_index')}</p>"
    try:
        text = assistant.document_text(source)
        title = next((d.title for d in assistant.documents() if d.source == source), "")
    except RvError as exc:
        return f"{back}<p>{error_text(exc, words)}</p>"
    spans = quote_spans(text, quote) if quote else []
    note = "" if spans or not quote else f"<p><em>{words('quote_not_found')}</em></p>"
    return (
        # The title, never the file name ('001_387224a3b32bf87f.txt' tells a newcomer nothing).
        f"{back}<h2>{html.escape(title or words('untitled_document'))}</h2>{note}"
        f'<div class="document-text">{marked(text, spans, "quoted")}</div>'
    )


def add_document_page(
    app: gr.Blocks, assistant: Assistant, served: Callable[[], Sequence[str]]
) -> None:
    """A page of its own at ``document?source=...&q=...`` (not in the navigation)."""
    with app.route("Document", "/document", show_in_navbar=False):
        gr.HTML(f"<style>{_CSS}</style>", padding=False)
        view = gr.HTML(elem_id="document-view")

        def show(request: gr.Request) -> str:
            params = request.query_params
            return render_document(
                assistant,
                served(),
                str(params.get("source", "")),
                str(params.get("q", "")),
                texts_for(request),
            )

        loaded = gr.on(triggers=None, fn=show, outputs=[view], api_visibility="private")
        loaded.then(fn=None, js=_SCROLL_TO_QUOTE)
