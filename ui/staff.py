"""The staff tab: behind its password, the documents and events, a search for checking
facts, and the documents kept up to date from the page (add, replace, remove, re-index)
while the chat goes on answering."""

from __future__ import annotations

import datetime as dt
import hmac
import html
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr

from assistant.api import (
    MAX_STAFF_TITLE,
    Assistant,
    Event,
    LibraryChange,
    LoginLockedError,
    RvError,
    TitleTooLongError,
    clean_title,
)
from ui.error_texts import error_text, spoken_number
from ui.guard import LoginThrottle, StaffSessions, staff_cookie_js
from ui.markup import document_link, marked
from ui.texts import I18N, Texts, texts, texts_for

#: The account the staff password's tries are counted against (with their address).
STAFF_ACCOUNT = "staff"
#: Passages the staff search shows.
SEARCH_RESULTS = 10
UPLOAD_TYPES = [".pdf", ".txt", ".md", ".html"]

STAFF_CSS = """
#documents, #events { overflow-x: auto; max-width: 100%; }
#staff-results .passage { border-bottom: 1px solid #ddd; padding: .5em 0; }
#staff-results mark, #document-view mark { background: #ffe58a; }
"""


def same_password(given: str, password: str) -> bool:
    """Compared in constant time, so the answer's timing tells nothing of the password."""
    return hmac.compare_digest(given.encode(), password.encode())


def documents_table(assistant: Assistant, words: Texts | None = None) -> list[list[Any]]:
    words = words or texts()
    zone = assistant.settings.timezone
    return [
        [d.title, d.url or Path(d.source).name, len(d.pages) or "", d.chunks,
         spoken_moment(d.ingested_at, zone, words)]
        for d in _safe(assistant.documents)
    ]  # fmt: skip


def spoken_moment(stamp: str, zone: str, words: Texts) -> str:
    """'7 december 2026, 04:57' in the page's language and the assistant's time zone, from
    an ISO time stamp; the stamp itself when it is none."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return f"{words.date(moment.date())}, {moment:%H:%M}"


def _title_of(assistant: Assistant, source: str) -> str:
    """A document's title, with its file name: staff may see file names."""
    title = next((d.title for d in _safe(assistant.documents) if d.source == source), "")
    return f"{title} ({Path(source).name})" if title else Path(source).name


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """(what staff read, the document's source) for the replace and remove choices."""
    return [
        (f"{d.title or Path(d.source).name} ({Path(d.source).name})", d.source)
        for d in _safe(assistant.documents)
    ]


def events_table(
    assistant: Assistant, today: dt.date, words: Texts | None = None
) -> list[list[Any]]:
    """The events, one row per date and document: a document that names one meeting twice
    ('het drieluik' and 'de bijeenkomst' on 7 December) lists it once."""
    words = words or texts()
    rows = []
    seen: set[tuple[object, ...]] = set()
    for e in _safe(assistant.events):
        key = (e.start, e.end, e.source) if e.start else (e.year, e.title, e.source)
        if key in seen:
            continue
        seen.add(key)
        when = e.start.isoformat() if e.start else words("undated", year=e.year)
        if e.end:
            when += f" {words('until_day')} {e.end.isoformat()}"
        status = words(
            "event_upcoming"
            if (e.last_day and e.last_day >= today)
            else ("event_past" if e.start else "event_undated")
        )
        hours = (e.start_time or "") + (f"–{e.end_time}" if e.end_time else "")
        rows.append([when, hours, e.title, e.place or "", status, _year_found(e, words),
                     Path(e.source).name + (f" p. {e.page}" if e.page else "")])  # fmt: skip
    return rows


def _spoken(numbers: Sequence[tuple[str, float]], words: Texts) -> dict[str, str]:
    """A failure's numbers (a limit, a size) as the page's language writes them."""
    return {name: spoken_number(value, words.language) for name, value in numbers}


def _year_found(event: Event, words: Texts) -> str:
    """How the year was found, for staff to check ('na de datum van de pagina (toekomende
    tijd)'); records made before that was kept say only whether it was written."""
    if event.year_basis and (said := words.option("year_bases", event.year_basis)):
        return said
    return words(f"year_{event.certainty}")


def search_results(assistant: Assistant, query: str, words: Texts | None = None) -> str:
    """The top passages for ``query`` with document, page and score, the query's words
    highlighted; each opens the document view at the passage."""
    words = words or texts()
    try:
        found = assistant.passages(query, SEARCH_RESULTS)
    except RvError as exc:
        return f"<p>⚠️ {html.escape(error_text(exc, words))}</p>"
    if not found:
        return f"<p>{words('nothing_found')}</p>"
    spans = {id(p): assistant.matching_words(query, p.text) for p in found}
    matching = [p for p in found if spans[id(p)]]
    # Passages near in meaning only are filler when others hold the words looked for; when
    # none does (an English search of Dutch pages), the nearest in meaning are all there is.
    shown = matching or found
    count = (
        words("search_matched", count=len(matching), total=len(found))
        if matching
        else words("search_meaning_only", total=len(found))
    )
    items = [f'<p class="search-count">{count}</p>']
    for n, p in enumerate(shown, start=1):
        page = f", p. {p.page}" if p.page else ""
        text = marked(p.text, spans[id(p)])
        link = html.escape(document_link(p.source, p.text))
        items.append(
            f'<div class="passage"><b>{n}. <a href="{link}" target="_blank" '
            f'class="document-link">{html.escape(p.title or Path(p.source).name)}</a></b> '
            f"<small>({html.escape(Path(p.source).name)}{page}; "
            f"{words('score')} {p.score:.2f})</small>"
            f"<div>{text}</div></div>"
        )
    return "".join(items)


def change_report(action: str, change: LibraryChange, words: Texts | None = None) -> str:
    """What a staff action did, per file, in the page's language."""
    words = words or texts()
    r = change.report
    lines = []
    for label, items in (("added", r.added), ("updated", r.updated), ("removed", r.removed)):
        if items:
            names = ", ".join(html.escape(Path(i).name) for i in items)
            lines.append(f"**{words(label)}:** {names}")
    if r.skipped:
        lines.append(words("unchanged", count=len(r.skipped)))
    for failure in r.failed:
        problem = words(f"document_{failure.kind}", **_spoken(failure.numbers, words))
        lines.append(f"**{words('failed')}: {html.escape(Path(failure.file).name)}**: {problem}")
    for document, kept in change.kept:
        lines.append(
            words(
                "kept", document=html.escape(Path(document).name), kept=html.escape(Path(kept).name)
            )
        )
    if r.repaired:
        lines.append(words("repaired", what=html.escape("; ".join(r.repaired))))
    if not lines:
        lines.append(words("nothing_changed"))
    return "\n\n".join([words("done", action=action), *lines, f"*({r.seconds:.1f} s)*"])


class _QueuedProgress:
    """Ingest's progress, handed from the ingest's thread to the page's generator."""

    def __init__(self, messages: queue.Queue[tuple[str, object]]) -> None:
        self._messages = messages

    def start(self, total: int) -> None:
        self._messages.put(("start", total))

    def advance(self, label: str) -> None:
        self._messages.put(("file", label))


def with_progress(
    action: str, job: Callable[[_QueuedProgress], LibraryChange], words: Texts | None = None
) -> Iterator[str]:
    """Run a staff action in its own thread; yield its progress, then its report."""
    words = words or texts()
    messages: queue.Queue[tuple[str, object]] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["change"] = job(_QueuedProgress(messages))
        except RvError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="staff-ingest", daemon=True)
    worker.start()
    total, done = 0, 0
    yield words("busy", action=action)
    while worker.is_alive() or not messages.empty():
        try:
            kind, value = messages.get(timeout=0.25)
        except queue.Empty:
            continue
        if kind == "start":
            total = int(value)  # type: ignore[call-overload]
        else:
            done += 1
            yield words("progress", action=action, done=done, total=total,
                        file=html.escape(str(value)))  # fmt: skip
    worker.join()
    if "error" in outcome:
        yield f"⚠️ {html.escape(error_text(outcome['error'], words))}"
    else:
        yield change_report(action, outcome["change"], words)


def staff_page(
    assistant: Assistant,
    password: str,
    today: Callable[[], dt.date],
    on_change: Callable[[], None],
    throttle: LoginThrottle | None = None,
    sessions: StaffSessions | None = None,
) -> None:
    """The staff tab. Its contents are sent only after the password, and every action
    checks the session's login again (a hidden button can still be called). Wrong
    passwords go through ``throttle``; a login starts a session in ``sessions``, whose
    cookie opens the upload route to this browser."""
    library = assistant.library()
    throttle = throttle or LoginThrottle.from_settings(assistant.settings)
    sessions = sessions or StaffSessions()
    with gr.Tab(I18N("staff_tab"), id="staff-tab"):
        gr.HTML(f"<style>{STAFF_CSS}</style>", padding=False)
        with gr.Column(visible=True) as login:
            given = gr.Textbox(
                type="password", label=I18N("staff_password"), elem_id="staff-password"
            )
            enter = gr.Button(I18N("staff_open"), elem_id="staff-open")
            status = gr.Markdown(elem_id="staff-status")
        with gr.Column(visible=False) as staff:
            gr.Markdown(I18N("check_facts"))
            with gr.Row():
                query = gr.Textbox(
                    show_label=False, placeholder=I18N("search_placeholder"),
                    elem_id="staff-query", scale=5,
                )  # fmt: skip
                search = gr.Button(I18N("search_button"), elem_id="staff-search", scale=1)
            results = gr.HTML(elem_id="staff-results")
            gr.Markdown(I18N("update_documents"))
            uploads = gr.File(
                label=I18N("new_documents"),
                file_count="multiple", file_types=UPLOAD_TYPES, type="filepath",
                elem_id="upload",
            )  # fmt: skip
            add = gr.Button(I18N("add_button"), variant="primary", elem_id="add-documents")
            upload_report = gr.Markdown(elem_id="upload-report")  # beside its button
            # Any value reaches the handlers, which check the login and then the choice:
            # a strict list would answer a call made without a login (its list empty) with
            # Gradio's own error and a traceback instead of the login message.
            choice = gr.Dropdown(
                label=I18N("document_choice"), choices=[], elem_id="document-choice",
                allow_custom_value=True,
            )  # fmt: skip
            # The chosen document's title, to set or correct (kept across re-ingests).
            with gr.Row():
                title = gr.Textbox(
                    label=I18N("document_title"), max_length=MAX_STAFF_TITLE,
                    elem_id="document-title", scale=5,
                )  # fmt: skip
                save_title = gr.Button(I18N("title_button"), elem_id="save-title", scale=1)
            title_report = gr.Markdown(elem_id="title-report")  # beside its button
            replacement = gr.File(
                label=I18N("replacement"), file_count="single",
                file_types=UPLOAD_TYPES, type="filepath", elem_id="replacement",
            )  # fmt: skip
            with gr.Row():
                replace = gr.Button(I18N("replace_button"), elem_id="replace-document")
                remove = gr.Button(I18N("remove_button"), variant="stop",
                                   elem_id="remove-document")  # fmt: skip
                reindex = gr.Button(I18N("reindex_button"), elem_id="reindex")
            report = gr.Markdown(elem_id="staff-report")
            gr.Markdown(I18N("indexed_documents"))
            dutch = texts()
            documents = gr.Dataframe(
                value=[], headers=dutch.list("documents_headers"),
                interactive=False, wrap=True, elem_id="documents",
                column_widths=["40%", "25%", "9%", "9%", "17%"],
            )  # fmt: skip
            gr.Markdown(I18N("events_in_documents"))
            events = gr.Dataframe(
                value=[], headers=dutch.list("events_headers"),
                interactive=False, wrap=True, elem_id="events",
                column_widths=["14%", "8%", "24%", "16%", "10%", "10%", "18%"],
            )  # fmt: skip
        logged_in = gr.State(False)
        # The document a first click on 'remove' asked to confirm; a second click removes it.
        pending_removal = gr.State(None)
        # The staff session's token, handed to the page's script that keeps it in a cookie.
        session = gr.Textbox(visible=False, elem_id="staff-session")

    def tables(words: Texts) -> tuple[Any, ...]:
        """The tables as the index is now, headed in the page's language."""
        return (
            gr.update(
                value=documents_table(assistant, words), headers=words.list("documents_headers")
            ),
            gr.update(
                value=events_table(assistant, today(), words), headers=words.list("events_headers")
            ),
            gr.update(choices=document_choices(assistant), value=None),
        )

    async def open_staff(attempt: str, request: gr.Request) -> tuple[Any, ...]:
        words = texts_for(request)
        address = request.client.host if request.client else "unknown"
        refused: tuple[Any, ...] = (
            gr.update(),
            gr.update(visible=False),
            [],
            [],
            gr.update(choices=[]),
        )
        try:
            right = await throttle.attempt(
                address, STAFF_ACCOUNT, lambda: same_password(attempt or "", password)
            )
        except LoginLockedError as exc:
            return *refused, words("locked_out", seconds=max(1, round(exc.seconds))), False, ""
        if right:
            return (gr.update(visible=False), gr.update(visible=True), *tables(words), "", True,
                    sessions.start())  # fmt: skip
        return *refused, words("wrong_password"), False, ""

    for trigger in (enter.click, given.submit):
        trigger(open_staff, [given],
                [login, staff, documents, events, choice, status, logged_in, session],
                api_visibility="private", show_progress="hidden").then(
            None, [session], None, js=staff_cookie_js(), api_visibility="private"
        )  # fmt: skip

    def run(
        ok: bool, action: str, job: Callable[[_QueuedProgress], LibraryChange], words: Texts
    ) -> Iterator[tuple[Any, ...]]:
        if not ok:
            yield words("log_in_first"), *(gr.update(),) * 3
            return
        previous = None
        for text in with_progress(words(action), job, words):
            if previous is not None:
                yield previous, gr.update(), gr.update(), gr.update()
            previous = text
        on_change()
        yield previous, *tables(words)  # the report and the tables it speaks of, together

    def add_files(
        ok: bool, files: list[str] | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        words = texts_for(request)
        if not files:
            yield words("choose_files"), *(gr.update(),) * 3
            return
        yield from run(ok, "action_add", lambda p: library.add([Path(f) for f in files], p),
                       words)  # fmt: skip

    def replace_file(
        ok: bool, source: str | None, file: str | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        words = texts_for(request)
        if ok and (not _indexed(assistant, source) or not file):
            yield words("choose_replacement"), *(gr.update(),) * 3
            return
        yield from run(ok, "action_replace",
                       lambda p: library.replace(str(source), Path(str(file)), p),
                       words)  # fmt: skip

    def remove_document(
        ok: bool, source: str | None, pending: str | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        """The first click asks to confirm (the report says what would go); a second click
        on the same document removes it."""
        words = texts_for(request)
        if ok and not _indexed(assistant, source):
            yield words("choose_removal"), *(gr.update(),) * 3, None
            return
        if ok and pending != source:
            title = _title_of(assistant, str(source))
            yield words("confirm_removal", document=html.escape(title)), *(gr.update(),) * 3, source
            return
        for out in run(ok, "action_remove", lambda _p: library.remove(str(source)), words):
            yield *out, None

    def retitle(
        ok: bool, source: str | None, given: str | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        """Give the chosen document staff's title (empty: the one made from its text);
        the document is indexed again with it, and keeps it at every later ingest."""
        words = texts_for(request)
        if ok and not _indexed(assistant, source):
            yield words("choose_title_document"), *(gr.update(),) * 3
            return
        if ok and (problem := _title_problem(given or "", words)):
            yield problem, *(gr.update(),) * 3
            return
        yield from run(ok, "action_title",
                       lambda p: library.set_title(str(source), given or "", p),
                       words)  # fmt: skip

    def shown_title(ok: bool, source: str | None) -> str:
        """The chosen document's title, to correct in place; nothing without a login."""
        if not ok or not source:
            return ""
        return next((d.title for d in _safe(assistant.documents) if d.source == source), "")

    def reindex_all(ok: bool, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from run(ok, "action_reindex", library.reindex, texts_for(request))

    outputs = [report, documents, events, choice]
    # One staff change at a time (the index takes one writer anyway); the chat's answers
    # are another queue and go on meanwhile.
    # No Gradio progress overlay ('processing | 0.5s', in English, over tables that then
    # look empty): the report says, in the page's language, how far the action is.
    common: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "staff-changes",
                              "api_visibility": "private", "show_progress": "hidden"}  # fmt: skip
    add.click(add_files, [logged_in, uploads], [upload_report, *outputs[1:]], **common)
    replace.click(replace_file, [logged_in, choice, replacement], outputs, **common)
    remove.click(
        remove_document, [logged_in, choice, pending_removal], [*outputs, pending_removal], **common
    )
    choice.change(lambda: None, None, pending_removal, api_visibility="private")
    choice.change(shown_title, [logged_in, choice], title, api_visibility="private",
                  show_progress="hidden")  # fmt: skip
    save_title.click(retitle, [logged_in, choice, title], [title_report, *outputs[1:]], **common)
    reindex.click(reindex_all, [logged_in], outputs, **common)

    def find(ok: bool, query_words: str, request: gr.Request) -> str:
        words = texts_for(request)
        if not ok:
            return f"<p>{words('log_in_first')}</p>"
        return search_results(assistant, query_words, words)

    for trigger in (search.click, query.submit):
        trigger(find, [logged_in, query], [results], api_visibility="private",
                show_progress="hidden")  # fmt: skip


def _title_problem(given: str, words: Texts) -> str:
    """What is wrong with a title staff typed, in the page's language; '' when nothing."""
    try:
        clean_title(given)
    except TitleTooLongError as exc:
        language = words.language
        return words(
            "title_too_long",
            length=spoken_number(exc.length, language),
            limit=spoken_number(exc.limit, language),
        )
    return ""


def _indexed(assistant: Assistant, source: str | None) -> bool:
    """Whether ``source`` is an indexed document (a value typed or sent by hand is not
    taken for one: its file would be moved)."""
    return bool(source) and any(d.source == source for d in _safe(assistant.documents))


def _safe(read: Callable[[], list[Any]]) -> list[Any]:
    """What the index holds, or nothing when it can't be read (the welcome text says why)."""
    try:
        return read()
    except RvError:
        return []
