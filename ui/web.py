"""`rv serve`: the web chat for newcomers (Gradio), with a staff tab and feedback."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import gradio as gr
from fastapi import HTTPException
from starlette.middleware import Middleware

from assistant.api import (
    Answer,
    Assistant,
    Citation,
    Event,
    LoginLockedError,
    QuestionError,
    RvError,
    Settings,
    distinct_events,
    most_detailed,
    parse_today,
    quote_in_context,
)
from ui.document_page import add_document_page
from ui.error_texts import error_text
from ui.feedback import FeedbackStore
from ui.guard import AccessGuard, LoginThrottle, StaffSessions, client_address
from ui.markup import document_link, escape
from ui.staff import same_password, staff_page
from ui.texts import I18N, Texts, texts, texts_for

_CSS = """
#sources details { margin: .2em 0; }
.nav-holder { display: none !important; }  /* one page; the document view has its links */
/* Gradio's floating 'scroll down' button covers an answer's text; each answer is scrolled
   to its first line instead (_SHOW_ANSWER_START). */
#chatbot .scroll-down-button-container { display: none !important; }
@media (max-width: 640px) {
  /* A phone: the events above the chat, folded; the welcome in three lines; the chat
     short enough that the question box and its button stay on the first screen. */
  #chat-row { flex-direction: column-reverse !important; }
  #side { min-width: 100% !important; }
  #welcome p { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical;
               overflow: hidden; }
  /* A tap on the welcome unfolds it (and folds it again): all of it can be read. */
  #welcome { cursor: pointer; }
  #welcome.unfolded p { display: block; -webkit-line-clamp: unset; overflow: visible; }
  /* The conversation takes the screen's height less what stays above and below it (tabs,
     folded events, three lines of welcome; the question box): 420 px, measured at 390x844. */
  #chatbot { height: max(240px, calc(100dvh - 420px)) !important;
             max-height: max(240px, calc(100dvh - 420px)) !important; }
  #question-row { flex-wrap: nowrap !important; }
  #send { min-width: 5em !important; }
}
"""

#: On a phone the events panel starts folded (Gradio opens or folds it for every width);
#: a tap on the welcome unfolds the lines its three-line cut hides.
_FOLD_EVENTS_ON_PHONE = """() => {
  const welcome = document.querySelector('#welcome');
  if (welcome && !welcome.dataset.unfolds) {
    welcome.dataset.unfolds = '1';
    welcome.addEventListener('click', () => welcome.classList.toggle('unfolded'));
  }
  if (window.innerWidth <= 640) {
    const label = document.querySelector('#upcoming-panel > button, #upcoming-panel .label-wrap');
    if (label && document.querySelector('#upcoming')?.offsetParent) { label.click(); }
  }
}"""

#: After an answer, its first line is in view (not its sources at the bottom).
_SHOW_ANSWER_START = """() => {
  const rows = document.querySelectorAll('#chatbot .message-row.bot-row');
  const last = rows[rows.length - 1];
  if (last) { last.scrollIntoView({block: 'start'}); }
}"""


def text_fragment_link(url: str, quote_text: str) -> str:
    """The URL with a #:~:text= fragment that jumps to the quoted passage where supported."""
    words = quote_text.split(" … ")[0].split()
    if not words:
        return url
    if len(words) <= 8:
        fragment = quote(" ".join(words), safe="")
    else:
        fragment = f"{quote(' '.join(words[:4]), safe='')},{quote(' '.join(words[-4:]), safe='')}"
    return f"{url.split('#')[0]}#:~:text={fragment}"


def source_link(citation: Citation) -> str:
    """The web page (at the passage, where the browser supports it); any other document,
    a PDF too, in the app's document view, opened at the passage and marked (a PDF viewer
    opens at the page but points at nothing on it: ``original_link`` gives that)."""
    if citation.url:
        return text_fragment_link(citation.url, citation.quote)
    return document_link(citation.source, citation.quote)


def original_link(citation: Citation) -> str | None:
    """A PDF without a web address, as it was uploaded, at the quoted page; None for others
    (a web page's link is the original)."""
    if citation.url or Path(citation.source).suffix.lower() != ".pdf":
        return None
    page = f"#page={citation.page}" if citation.page else ""
    return f"/gradio_api/file={quote(citation.source)}{page}"


def source_label(citation: Citation, words: Texts | None = None) -> str:
    """Where a source is, as a newcomer reads it: the site's name ('rvjeugdzorg.nl'), or
    'PDF, p. 2', or 'document', never a file name (those are for the staff page)."""
    words = words or texts()
    if citation.url and (host := urlsplit(citation.url).hostname):
        return host.removeprefix("www.")  # the link opens the site: a page number means nothing
    kind = "source_pdf" if Path(citation.source).suffix.lower() == ".pdf" else "source_document"
    page = words("source_page", page=citation.page) if citation.page else ""
    return words(kind) + page


def render_answer(answer: Answer, document_text: Callable[[str], str] | None = None) -> str:
    """The answer and its sources as Markdown; everything from documents is escaped. With
    ``document_text`` (a source's cleaned text), each unfolded quote shows the sentences
    around it, the quoted part marked."""
    words = texts(answer.language)
    text = escape(answer.answer).replace("\n", "  \n")
    if answer.unsupported:
        flagged = "; ".join(escape(s) for s in answer.unsupported)
        text += f"\n\n⚠️ *{words('unsupported')}* {flagged}"
    if not answer.citations:
        return text
    lines = [text, "", f"**{words('sources')}**", ""]
    for cited in _by_document(answer.citations):
        first = cited[0]
        numbers = ", ".join(str(c.n) for c in cited)
        name = escape(first.title or words("untitled_document"))
        quotes = "".join(
            f"<blockquote>{quote_html(c, answer.answer, document_text)}</blockquote>" for c in cited
        )
        lines.append(
            f'{numbers}\\. <a href="{html.escape(source_link(first))}" target="_blank" '
            f'rel="noopener noreferrer" class="source-link">{name}</a> '
            f"<small>({_label_html(first, words)})</small>"
            f"<details><summary>{words('quote')}</summary>{quotes}</details>"
        )
    return "\n\n".join(lines)  # a paragraph per source ('1, 3.' is no list item)


def _label_html(citation: Citation, words: Texts) -> str:
    """Where the source is; for a PDF, a link to the file itself at the page."""
    label = escape(source_label(citation, words))
    if (original := original_link(citation)) is None:
        return label
    return (
        f'<a href="{html.escape(original)}" target="_blank" rel="noopener noreferrer" '
        f'class="original-link">{label}</a>'
    )


def quote_html(citation: Citation, said: str, document_text: Callable[[str], str] | None) -> str:
    """The quote with the sentence before and after it, the quoted part in <mark> (the
    answer already says it); the quote alone when its document cannot be read or the quote
    is not found in it (an event record's)."""
    stretches = []
    if document_text is not None:
        try:
            stretches = quote_in_context(document_text(citation.source), citation.quote, said)
        except RvError:
            stretches = []
    if not stretches:
        return escape(citation.quote)
    return " … ".join(
        "".join(f"<mark>{escape(p.text)}</mark>" if p.quoted else escape(p.text) for p in pieces)
        for pieces in stretches
    )


def _by_document(citations: list[Citation]) -> list[list[Citation]]:
    """The citations per document, in the order first cited: one title is listed once."""
    grouped: dict[str, list[Citation]] = {}
    for citation in citations:
        grouped.setdefault(citation.source, []).append(citation)
    return list(grouped.values())


def upcoming_panel(events: list[Event], today: dt.date, words: Texts | None = None) -> str:
    """The next meetings, each once (records of one meeting from several documents joined),
    with date, time, place and name, and a link to each source that announces it."""
    words = words or texts()
    meetings = [e for e in events if e.event_words]  # not 'aanmelden kan tot 7 september'
    upcoming = [e for e in meetings if e.start and (e.last_day or e.start) >= today]
    lines = [_panel_line(group, words) for group in distinct_events(upcoming)[:PANEL_EVENTS]]
    if not upcoming:
        lines.append(words("no_upcoming", date=words.date(today)))
        past = [e for e in meetings if e.start and (e.last_day or e.start) < today]
        if past and past[-1].start:
            lines.append("\n" + words("last_announced", date=words.date(past[-1].start)))
    return "\n".join(lines)


#: Meetings the panel lists at most: the next few, not the whole calendar.
PANEL_EVENTS = 5


def _panel_line(group: list[Event], words: Texts) -> str:
    """'**14 september 2023**, 19:00–21:00, Amersfoort: name [site]' for one meeting."""
    shown = most_detailed(group)
    assert shown.start is not None
    time = next((e for e in group if e.start_time), None)
    place = next((e.place for e in group if e.place), None)
    when = f"**{words.date(shown.start)}**"
    if time is not None:
        when += f", {time.start_time}" + (f"–{time.end_time}" if time.end_time else "")
    if place:
        when += f", {escape(place)}"
    links = " ".join(_event_link(e, words) for e in _one_per_source(group))
    return f"- {when}: {escape(shown.title)} {links}"


def _one_per_source(group: list[Event]) -> list[Event]:
    seen: dict[str, Event] = {}
    for event in group:
        seen.setdefault(event.source, event)
    return list(seen.values())


def _event_link(event: Event, words: Texts) -> str:
    """A link to the announcement, at its sentence, named by where it is (site, PDF)."""
    citation = Citation(
        0, event.document_title, event.source, event.url, event.page, event.sentence
    )
    label = escape(source_label(citation, words))
    return (
        f'<a href="{html.escape(source_link(citation))}" target="_blank" '
        f'rel="noopener noreferrer" class="event-source">({label})</a>'
    )


def welcome(assistant: Assistant, today: dt.date, words: Texts | None = None) -> str:
    words = words or texts()
    try:
        documents = assistant.documents()
        events = assistant.events()
    except RvError as exc:
        return error_text(exc, words)
    if not documents:
        return words("no_documents")
    dates = [e.last_day for e in events if e.last_day]
    until = words("welcome_until", date=words.date(max(dates))) if dates else ""
    return words("welcome", documents=len(documents), until=until)


#: What the chat writes after each step: the conversation, the answers' records, the
#: question box and the hint under it.
Reply = tuple[list[dict[str, Any]], list[dict[str, Any]], str, str]


class WebChat:
    """The state the page shares: one assistant (one model load) and the feedback store."""

    def __init__(
        self,
        assistant: Assistant,
        feedback: FeedbackStore,
        today: dt.date | None,
        served_files: list[str] | None = None,
    ) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.frozen_today = today
        #: The files the file route may serve: the indexed documents, kept in step with the
        #: index (the web server reads this very list at each request).
        self.served_files = served_files if served_files is not None else []
        self._served_revision: str | None = None
        self.follow_index()

    def follow_index(self) -> None:
        """After an ingest, the new documents may be opened and the removed ones no more."""
        try:
            revision = self.assistant.revision()
            if revision != self._served_revision:
                self.served_files[:] = sorted(d.source for d in self.assistant.documents())
                self._served_revision = revision
        except RvError:
            self.served_files[:] = []

    def today(self) -> dt.date:
        return self.assistant.today(self.frozen_today)

    def answer_stream(self, question: str, history: list[dict[str, Any]]) -> Iterator[str | Answer]:
        turns = [
            {"role": m["role"], "content": _plain(m["content"])}
            for m in history[-8:]
            if m.get("role") in ("user", "assistant")
        ]
        yield from self.assistant.ask_stream(question, today=self.today(), history=turns)

    def respond(
        self,
        question: str,
        history: list[dict[str, Any]],
        answers: list[dict[str, Any]],
        request: gr.Request | None = None,
    ) -> Iterator[Reply]:
        """The conversation with the answer streamed into it, the answers' records, the
        question box and the hint under it. A question that cannot be asked (empty, too
        long) stays in the box, with a hint in the page's language."""
        words = texts_for(request)
        try:
            self.assistant.check_question(question or "")
        except QuestionError as exc:
            yield history, answers, question or "", error_text(exc, words)
            return
        self.follow_index()
        question = question.strip()
        history = [*history, {"role": "user", "content": escape(question)}]
        history.append({"role": "assistant", "content": "…"})
        yield history, answers, "", ""
        try:
            answer = yield from self._answer_into(question, history, answers)
            shown = render_answer(answer, self.assistant.document_text)
            history[-1] = {"role": "assistant", "content": shown}
            answers = [*answers, _record(question, answer)]
        except Exception as exc:  # said in the page's words; the details go to the log
            history[-1] = {"role": "assistant", "content": error_text(exc, words)}
            answers = [*answers, {}]
        yield history, answers, "", ""

    def _answer_into(
        self, question: str, history: list[dict[str, Any]], answers: list[dict[str, Any]]
    ) -> Generator[Reply, None, Answer]:
        """Shows the answer in the conversation's last message as it comes; returns it."""
        shown = ""
        for part in self.answer_stream(question, history[:-2]):
            if isinstance(part, Answer):
                break
            shown += part
            history[-1] = {"role": "assistant", "content": escape(shown)}
            yield history, answers, "", ""
        else:
            raise RvError("The answer backend stopped without an answer.")
        for partial in _reveal(part.answer):  # extractive answers arrive whole
            history[-1] = {"role": "assistant", "content": escape(partial)}
            yield history, answers, "", ""
        return part

    def rate(
        self, data: gr.LikeData, answers: list[dict[str, Any]], words: Texts | None = None
    ) -> tuple[int, str]:
        words = words or texts()
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        position = int(index) // 2  # user, assistant, user, assistant, ...
        if not 0 <= position < len(answers) or not answers[position]:
            return -1, ""
        record = answers[position]
        liked = data.liked is True or data.value == "Like" or data.liked == "Like"
        feedback_id = self.feedback.add(
            "up" if liked else "down",
            record["question"],
            record["answer"],
            record["citations"],
            self._settings(),
            record.get("today"),
        )
        return feedback_id, words("rated")

    def add_comment(
        self, feedback_id: int, comment: str, request: gr.Request | None = None
    ) -> tuple[str, str]:
        words = texts_for(request)
        if feedback_id < 0 or not comment.strip():
            return comment, words("rate_first")
        self.feedback.comment(feedback_id, comment.strip())
        return "", words("comment_saved")

    def _settings(self) -> dict[str, Any]:
        s = self.assistant.settings
        return {
            "embedder": s.embedder,
            "generator": s.generator,
            "retrieval_mode": s.retrieval_mode,
            "reranker": s.reranker,
            "top_k": s.top_k,
            "chunk_size": s.chunk_size,
        }


def _plain(content: Any) -> str:
    """A chat message's text, whatever shape Gradio hands it in: a string, a list of parts
    ({'type': 'text', 'text': ...}, as Gradio 6 does), or one such part."""
    text = _text_of(content)
    for language in ("nl", "en"):
        text = text.split(f"**{texts(language)('sources')}**")[0]
    text = re.sub(r"<[^>]+>", " ", text)
    # Lines are kept: the assistant reads a listed answer's items by them (``with_context``).
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list | tuple):
        return " ".join(_text_of(part) for part in content)
    return "" if content is None else str(content)


def _reveal(text: str) -> Iterator[str]:
    words = text.split(" ")
    step = max(1, len(words) // 8)
    for i in range(step, len(words), step):
        yield " ".join(words[:i])
        time.sleep(0.02)


def _record(question: str, answer: Answer) -> dict[str, Any]:
    return {
        "question": question,
        "answer": answer.answer,
        "citations": [c.as_dict() for c in answer.citations],
        "today": answer.today.isoformat() if answer.today else None,
    }


def build_app(
    assistant: Assistant,
    feedback: FeedbackStore,
    today: dt.date | None = None,
    served_files: list[str] | None = None,
    throttle: LoginThrottle | None = None,
    sessions: StaffSessions | None = None,
) -> gr.Blocks:
    chat = WebChat(assistant, feedback, today, served_files)
    # Answers run side by side: the embedding engine takes turns by itself (its lock), and
    # one slow answer no longer holds everyone else's.
    at_once = assistant.settings.answer_concurrency
    day = chat.today()
    dutch = texts()
    with gr.Blocks(title=dutch("page_title")) as app:
        # The document view is reached by its links, not by a menu.
        gr.Navbar(visible=False)  # type: ignore[attr-defined]
        with gr.Tab(I18N("chat_tab"), id="chat-tab"), gr.Row(elem_id="chat-row"):
            with gr.Column(scale=3, min_width=300):
                # The welcome and the events are written at each page load (page_for).
                greeting = gr.Markdown(elem_id="welcome")
                chatbot = gr.Chatbot(
                    elem_id="chatbot",
                    height=480,
                    sanitize_html=True,
                    autoscroll=False,
                    # No 'share': it posts to Hugging Face, which this assistant never does.
                    # No 'copy_all': Gradio labels it in English whatever the page's language.
                    buttons=["copy"],
                    feedback_options=("Like", "Dislike"),
                    examples=_examples(dutch),  # type: ignore[arg-type]
                    # Gradio translates any label, its types say str only.
                    placeholder=I18N("chat_placeholder"),  # type: ignore[arg-type]
                    show_label=False,
                )
                # Why a question was not asked (empty, too long), in the page's language:
                # above the box, which a long question stretches past the screen's end.
                hint = gr.Markdown(elem_id="question-hint")
                with gr.Row(elem_id="question-row"):
                    question = gr.Textbox(
                        placeholder=I18N("question_placeholder"),
                        show_label=False,
                        elem_id="question",
                        scale=5,
                        autofocus=True,
                    )
                    send = gr.Button(I18N("ask_button"), variant="primary", elem_id="send", scale=1)
                # The comment box appears once an answer is rated, its status beside it.
                with gr.Row(visible=False, elem_id="comment-row") as comment_row:
                    comment = gr.Textbox(
                        placeholder=I18N("comment_placeholder"),
                        show_label=False,
                        elem_id="comment",
                        scale=4,
                    )
                    send_comment = gr.Button(
                        I18N("comment_button"), elem_id="send-comment", scale=1
                    )
                    status = gr.Markdown(elem_id="status")
            with (
                gr.Column(scale=1, min_width=240, elem_id="side"),
                gr.Accordion(I18N("events_panel"), open=True, elem_id="upcoming-panel"),
            ):
                upcoming = gr.Markdown(elem_id="upcoming")
        staff_password = assistant.settings.staff_password.get_secret_value()
        if staff_password:
            staff_page(assistant, staff_password, chat.today, chat.follow_index, throttle, sessions)
        answers = gr.State([])
        feedback_id = gr.State(-1)

        def new_answer() -> tuple[Any, str, str]:
            """A new question folds away the last answer's comment box and its status."""
            return gr.update(visible=False), "", ""

        for trigger in (question.submit, send.click):
            trigger(new_answer, None, [comment_row, status, comment], queue=False,
                    api_visibility="private").then(
                chat.respond,
                [question, chatbot, answers],
                [chatbot, answers, question, hint],
                concurrency_limit=at_once,
                api_visibility="private",
            ).then(None, js=_SHOW_ANSWER_START)  # fmt: skip

        def on_example(
            data: gr.SelectData,
            history: list[dict[str, Any]],
            given: list[dict[str, Any]],
            request: gr.Request,
        ) -> Iterator[Reply]:
            yield from chat.respond(data.value["text"], history, given, request)

        # Two listeners: the event's data (the example chosen) reaches only a first step.
        chatbot.example_select(new_answer, None, [comment_row, status, comment], queue=False,
                               api_visibility="private")  # fmt: skip
        chatbot.example_select(
            on_example,
            [chatbot, answers],
            [chatbot, answers, question, hint],
            concurrency_limit=at_once,
            api_visibility="private",
        ).then(None, js=_SHOW_ANSWER_START)

        def rated(
            data: gr.LikeData, given: list[dict[str, Any]], request: gr.Request
        ) -> tuple[int, str, Any]:
            feedback_id, message = chat.rate(data, given, texts_for(request))
            return feedback_id, message, gr.update(visible=feedback_id >= 0)

        chatbot.like(rated, [answers], [feedback_id, status, comment_row],
                     api_visibility="private")  # fmt: skip
        send_comment.click(chat.add_comment, [feedback_id, comment], [comment, status],
                           api_visibility="private")  # fmt: skip
        comment.submit(chat.add_comment, [feedback_id, comment], [comment, status],
                       api_visibility="private")  # fmt: skip

        def page_for(request: gr.Request) -> tuple[str, str, Any]:
            """Each page load: the welcome, the events and the examples in the browser's
            language, and as the index is now (a staff upload shows at the next load)."""
            words = texts_for(request)
            chat.follow_index()
            now = chat.today()
            return (
                welcome(assistant, now, words),
                upcoming_panel(_safe_events(assistant), now, words),
                gr.update(examples=_examples(words)),
            )

        app.load(page_for, None, [greeting, upcoming, chatbot], api_visibility="private",
                 queue=False).then(None, js=_FOLD_EVENTS_ON_PHONE)  # fmt: skip

        def ask(question: str, today: str = "") -> dict[str, Any]:
            """Answer one question; returns the same object as `rv ask --json`."""
            chat.follow_index()
            try:
                return assistant.ask(question, today=parse_today(today) or day).as_dict()
            except RvError as exc:  # the message says how to fix it; other errors stay hidden
                raise gr.Error(html.escape(str(exc)), print_exception=False) from None

        gr.api(ask, api_name="ask", concurrency_limit=at_once)  # type: ignore[attr-defined]
    add_document_page(app, assistant, lambda: chat.served_files)
    return app  # type: ignore[no-any-return]


def _examples(words: Texts) -> list[dict[str, str]]:
    return [{"text": q} for q in words.list("examples")]


def _safe_events(assistant: Assistant) -> list[Event]:
    """The events, or none when the index can't be read (the welcome text says why)."""
    try:
        return assistant.events()
    except RvError:
        return []


def _login_message(settings: Settings) -> str:
    """The login page's text in both languages (it is shown before any language is known),
    with the lockout rule: Gradio's form shows nothing when the server answers 429."""
    seconds = round(settings.login_lockout_seconds)
    parts = []
    for language in ("nl", "en"):
        said = texts(language)
        duration = (
            said("duration_minutes", n=round(seconds / 60))
            if seconds >= 120
            else said("duration_seconds", n=seconds)
        )
        parts.append(said("login_message", failures=settings.login_max_failures, duration=duration))
    return " / ".join(parts)


class _ServedFiles(list[str]):
    """The files the web server may serve. Gradio reads this list at each request, but
    replaces an empty one given to ``launch`` with a list of its own; being true even when
    empty, this one stays the list it reads, so that the documents of a later ingest are
    served too."""

    def __bool__(self) -> bool:
        return True


def serve(
    assistant: Assistant,
    host: str,
    port: int,
    feedback_db: Path,
    today: dt.date | None = None,
    prevent_thread_lock: bool = False,
) -> gr.Blocks:
    served = _ServedFiles()  # the indexed documents; the chat keeps it in step with the index
    # Both passwords share one throttle: a client address guessing one is slowed and locked
    # out for the other too.
    throttle = LoginThrottle.from_settings(assistant.settings)
    sessions = StaffSessions()
    app = build_app(assistant, FeedbackStore(feedback_db), today, served, throttle, sessions)
    app.queue(default_concurrency_limit=assistant.settings.answer_concurrency, max_size=256)
    password = assistant.settings.password.get_secret_value()

    async def chat_login(user: str, given: str) -> bool:
        """Gradio's login form: the chat password, any user name, through the throttle."""
        try:
            return await throttle.attempt(
                client_address.get(), f"chat:{user}", lambda: same_password(given, password)
            )
        except LoginLockedError as exc:
            raise HTTPException(status_code=429, detail=str(exc)) from None

    guard = Middleware(AccessGuard, sessions=sessions, served_files=lambda: list(served))
    app.launch(
        server_name=host,
        server_port=port,
        # Gradio awaits a coroutine function; its types say a plain one.
        auth=chat_login if password else None,  # type: ignore[arg-type]
        # Uploads for staff only (none without a staff tab); files: the indexed documents.
        app_kwargs={"middleware": [guard]},
        # The login page is Gradio's, before any request: both languages.
        auth_message=_login_message(assistant.settings),
        # The indexed documents themselves, not their folders: a folder's .env or drafts
        # are never served. The list is updated in place as the index changes.
        allowed_paths=served,
        blocked_paths=[str(assistant.settings.index_dir), str(feedback_db.parent)],
        prevent_thread_lock=prevent_thread_lock,
        quiet=True,
        show_error=False,
        footer_links=["api"],
        css=_CSS,
        i18n=I18N,
        ssr_mode=False,
    )
    return app
