"""The chat page (Gradio Blocks): streamed cited answers, a source panel, saved conversations,
thumbs on every answer, strategy briefs, the corpus tab and the administrators' tools.

The page is a thin shell over ``WebContext``: the open conversation lives in a per-visitor
``gr.State`` (its entries and its key in the store of conversations), the chat widget only shows
HTML built by ``render``; ``conversations`` and ``corpus_tab`` hold the panel's and the tabs'
handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from ..api import clean_question
from ..errors import Busy, IndexUnavailable, QuestionError, ServerDown, UploadError
from ..logs import request_scope
from ..models import DOCUMENT_SUFFIXES
from ..text import detect_language
from .assets import CSS, HEAD
from .chat import Entry, answer_entry, chat_update, history_of, note
from .context import WebContext
from .conversations import ConversationHandlers, new_key
from .corpus_tab import COLUMNS, DOCUMENT_EMPTY, PERIODS, CorpusHandlers
from .owner import owner_of
from .render import PANEL_EMPTY, render_draft, render_error, render_pending, render_question

__all__ = ["CSS", "HEAD", "build_page", "theme"]

log = logging.getLogger(__name__)

TITLE = "AI & Outsourcing Advisor"
EXAMPLES = (
    "D'après Gartner, quelle proportion d'entreprises a vraiment supprimé des postes au service client "
    "à cause de l'IA ?",
    "What happened after Klarna said its AI assistant did the work of 700 agents?",
    "Quand les obligations de transparence de l'AI Act s'appliquent-elles aux chatbots de service client ?",
    "How large is the Philippines' IT-BPM workforce, and how is AI changing it?",
)

Outputs = tuple[Any, ...]

PLACEHOLDER = (
    "<div class='welcome'><p><strong>Ask a question about AI in outsourcing</strong>, in English or "
    "French.</p><p>Each answer quotes the corpus with numbered sources; click a number to read the "
    "passage it comes from. Or try one of the examples.</p></div>"
)

HEADER = f"""
<header class="brand">
  <div class="brand-mark" aria-hidden="true">AI</div>
  <div>
    <h1>{TITLE} <span class="pill">English</span><span class="pill">Français</span></h1>
    <p>Cited answers for managers deciding how to use AI in outsourcing and customer service, drawn only
    from a curated corpus of about 90 English and French articles, each with its sources and date:
    workforce surveys and forecasts, companies that automated their service and what followed (Klarna,
    Commonwealth Bank, Air Canada), outsourcing locations in Africa, Asia, Latin America and Europe,
    AI customer-service vendors and their pricing, contracts, data transfers and the EU AI Act, and
    the operating model of hybrid human/AI service. If the corpus does not say, the assistant says so.</p>
  </div>
</header>
"""


def theme() -> gr.themes.Base:
    # system fonts only: the page must not fetch anything from outside the server
    return gr.themes.Soft(
        primary_hue="indigo", secondary_hue="teal", neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


class PageHandlers:
    """The page's event handlers, bound to one ``WebContext``."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def ask(self, question: str | None, entries: list[Entry], request: gr.Request,
            key: str | None = None) -> Iterator[Outputs]:
        """Yields (chat, question box, entries, ask note, feedback note, conversation key) as the answer streams.

        The first answer of a new conversation saves it under a new key (when the visitor is known).
        """
        question = question or ""
        try:
            clean_question(question, self.ctx.assistant.settings.max_question_chars)
        except QuestionError as error:
            yield gr.skip(), question, entries, note(str(error), "bad"), gr.skip(), gr.skip()
            return
        owner = owner_of(request, self.ctx.login_required)
        key = key or (new_key() if owner is not None else None)
        asked = {"role": "user", "content": render_question(question)}
        pending = {"role": "assistant", "content": render_pending(detect_language(question))}
        yield chat_update(entries, asked, pending), "", entries, "", "", gr.skip()
        draft = ""
        try:
            with request_scope(), self.ctx.stream(question, history_of(entries), "web", owner,
                                                  self.ctx.settings.web.queue_timeout_s, key) as stream:
                for piece in stream:
                    # the LLM's draft as it writes; the validated answer replaces it below
                    draft += piece
                    bubble = {"role": "assistant", "content": render_draft(draft)}
                    yield chat_update(entries, asked, bubble), "", entries, "", gr.skip(), gr.skip()
                answer, turn_id = stream.answer(), stream.turn_id
        except ServerDown as error:  # the operator's sentence, with the address, is for the log
            log.warning("the page could not answer: %s", error)
            yield self._failed(entries, question, error.public)
            return
        except (QuestionError, IndexUnavailable, Busy) as error:
            yield self._failed(entries, question, str(error))
            return
        except Exception as error:
            log.exception("the page could not answer")
            yield self._failed(entries, question, f"Something went wrong while answering "
                                                  f"({error.__class__.__name__}); please try again.")
            return
        entry = answer_entry(answer, turn_id)
        entry["question"] = question
        entries = [*entries, entry]
        yield chat_update(entries), "", entries, "", gr.skip(), key if turn_id is not None else gr.skip()

    def _failed(self, entries: list[Entry], question: str, message: str) -> Outputs:
        """The error in the chat and the question back in the box, so nothing typed is lost."""
        entries = [*entries, {"kind": "error", "question": question, "answer": "",
                              "html": render_error(message), "turn_id": None, "rated": None}]
        return chat_update(entries), question, entries, "", note(""), gr.skip()

    def upload(self, path: str | None, request: gr.Request) -> str:
        if not self.ctx.may_upload(self.ctx.identity_of(request)):
            return note("Only administrators may upload documents.", "bad")
        if not path:
            return note("Choose a file first.", "bad")
        file = Path(path)
        try:
            result = self.ctx.assistant.add_document(file, file.name)
        except UploadError as error:
            return note(str(error), "bad")
        except ServerDown as error:
            log.warning("upload refused: %s", error)
            return note(f"{error.public} The index is unchanged.", "bad")
        except IndexUnavailable as error:
            return note(str(error), "bad")
        except Exception as error:
            log.exception("upload failed")
            return note(f"The upload failed ({error.__class__.__name__}); the index is unchanged.", "bad")
        return note(result.message, "ok")

    def admin_view(self, request: gr.Request) -> tuple[Any, str]:
        allowed = self.ctx.may_upload(self.ctx.identity_of(request))
        if allowed:
            return gr.update(visible=True), ""
        reason = ("The administrators' tools are for ASSISTANT_WEB_ADMINS (or ASSISTANT_WEB_ADMIN_GROUP)."
                  if self.ctx.login_required
                  else "The administrators' tools are off while the server listens beyond this machine without "
                       "a login; set ASSISTANT_WEB_USERS and ASSISTANT_WEB_ADMINS.")
        return gr.update(visible=False), note(reason, "bad")



def build_page(ctx: WebContext) -> gr.Blocks:
    handlers, panel_handlers, corpus = PageHandlers(ctx), ConversationHandlers(ctx), CorpusHandlers(ctx)
    limit_mb = f"{ctx.settings.web.upload_max_bytes / 1_000_000:g} MB"
    private: dict[str, Any] = {"api_visibility": "private"}  # the page's events are for the page: the API is /api
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        entries, key, rated_turn = gr.State([]), gr.State(None), gr.State(None)
        gr.HTML(HEADER, elem_id="brand", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=230, elem_id="conversation-col"):
                    new = gr.Button("New conversation", elem_id="new-conversation", size="sm", variant="primary")
                    listed = gr.Radio([], label="Your conversations", elem_id="conversation-list",
                                      type="value", interactive=True)
                    panel_note = gr.HTML("", elem_id="conversation-note", js_on_load=None)
                    with gr.Accordion("This conversation", open=True, elem_id="conversation-actions"):
                        title = gr.Textbox(label="Name", elem_id="conversation-title", max_lines=1)
                        with gr.Row():
                            rename = gr.Button("Rename", elem_id="rename-conversation", size="sm")
                            delete = gr.Button("Delete", elem_id="delete-conversation", size="sm", variant="stop")
                        confirm = gr.Button("Really delete it", elem_id="confirm-delete", size="sm", variant="stop",
                                            visible=False)
                        export = gr.Button("Export brief", elem_id="export-brief", size="sm")
                        with gr.Row():
                            pdf = gr.DownloadButton("Brief (PDF)", elem_id="brief-pdf", size="sm", visible=False)
                            markdown = gr.DownloadButton("Brief (Markdown)", elem_id="brief-md", size="sm",
                                                         visible=False)
                with gr.Column(scale=3, min_width=340):
                    chat = gr.Chatbot(
                        elem_id="chat", show_label=False, height="calc(100vh - 360px)", min_height=300,
                        autoscroll=False, layout="bubble", buttons=[], latex_delimiters=[], sanitize_html=True,
                        feedback_options=("Like", "Dislike"), group_consecutive_messages=False,
                        placeholder=PLACEHOLDER,
                    )
                    with gr.Row(elem_id="ask-row", equal_height=True):
                        question = gr.Textbox(elem_id="question", show_label=False, lines=1, max_lines=5, scale=6,
                                              placeholder="Your question… / Votre question…")
                        ask = gr.Button("Ask", elem_id="ask-button", variant="primary", scale=1, min_width=90)
                    ask_note = gr.HTML("", elem_id="ask-note", js_on_load=None)
                    with gr.Row(elem_id="feedback-bar", equal_height=True):
                        comment = gr.Textbox(elem_id="comment", show_label=False, lines=1, max_lines=3, scale=3,
                                             min_width=160, placeholder="Optional comment on an answer, sent with "
                                             "its thumbs (or saved after them)")
                        save_comment = gr.Button("Save comment", elem_id="save-comment", size="sm", scale=0)
                    feedback_note = gr.HTML("", elem_id="feedback-note", js_on_load=None)
                with gr.Column(scale=2, min_width=300, elem_id="source-col"):
                    panel = gr.HTML(PANEL_EMPTY, elem_id="source-panel", js_on_load=None)
                    gr.HTML("<p class='examples-label'>Examples · Exemples</p>", js_on_load=None)
                    with gr.Column(elem_id="examples"):
                        example_buttons = [gr.Button(text, size="sm", variant="secondary") for text in EXAMPLES]
            with gr.Tab("Corpus", id="corpus") as corpus_tab, gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=340):
                    search = gr.Textbox(elem_id="corpus-search", show_label=False, max_lines=1,
                                        placeholder="Search by title… / Chercher par titre…")
                    corpus_note = gr.HTML("", elem_id="corpus-note", js_on_load=None)
                    table = gr.Dataframe(headers=COLUMNS, elem_id="corpus-table", interactive=False, wrap=True,
                                         max_height=560, column_widths=["40%", "9%", "12%", "12%", "18%", "9%"])
                    shown, chosen = gr.State([]), gr.State(None)
                    with gr.Group(visible=False, elem_id="corpus-admin") as corpus_admin:
                        admin_note = gr.HTML("", elem_id="corpus-admin-note", js_on_load=None)
                        ingest_report = gr.HTML("", elem_id="ingest-report", js_on_load=None)
                        with gr.Row():
                            withdrawn = gr.Dropdown([], label="Withdrawn documents", elem_id="withdrawn-list",
                                                    scale=3)
                            restore = gr.Button("Restore", elem_id="restore-document", size="sm", scale=1)
                with gr.Column(scale=2, min_width=300, elem_id="document-col"):
                    with gr.Row(visible=False, elem_id="withdraw-row") as withdraw_row:
                        withdraw = gr.Button("Withdraw from the index", elem_id="withdraw-document", size="sm",
                                             variant="stop")
                        confirm_withdraw = gr.Button("Really withdraw it", elem_id="confirm-withdraw", size="sm",
                                                     variant="stop", visible=False)
                    document_view = gr.HTML(DOCUMENT_EMPTY, elem_id="document-view", js_on_load=None)
            with gr.Tab("Admin", id="admin"):
                admin_reason = gr.HTML("", elem_id="upload-note-access", js_on_load=None)
                with gr.Group(visible=True) as upload_group:
                    gr.Markdown(f"**Add a document** to the corpus ({', '.join(DOCUMENT_SUFFIXES)}, at most "
                                f"{limit_mb}). It is indexed at once and can be cited in the next answer.")
                    document = gr.File(label="Document", file_types=list(DOCUMENT_SUFFIXES), type="filepath",
                                       elem_id="upload-file")
                    add = gr.Button("Add to the index", elem_id="upload-button", variant="primary")
                upload_note = gr.HTML("", elem_id="upload-note", js_on_load=None)
                with gr.Group(visible=False, elem_id="gap-group") as gap_group:
                    gr.Markdown("**Corpus gaps**: the questions the corpus did not serve (refused, or rated not "
                                "helpful), grouped by topic, with the documents closest to each.")
                    with gr.Row():
                        period = gr.Radio(list(PERIODS), value="Last 30 days", show_label=False,
                                          elem_id="gap-period", scale=3)
                        gaps = gr.Button("Build the report", elem_id="gap-button", variant="primary", scale=1)
                    gap_report = gr.HTML("", elem_id="gap-report", js_on_load=None)

        # -- asking, and the conversation panel ---------------------------------------------
        downloads = [pdf, markdown]
        ask_outputs = [chat, question, entries, ask_note, feedback_note, key]
        listing = dict(fn=panel_handlers.listing, inputs=[key], outputs=[listed, title, panel_note],
                       queue=False, **private)
        gr.on([question.submit, ask.click], handlers.ask, [question, entries, key], ask_outputs,
              show_progress="hidden", **private).then(**listing)
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(lambda text=text: text, None, question, queue=False, **private).then(
                handlers.ask, [question, entries, key], ask_outputs, show_progress="hidden", **private).then(**listing)
        listed.input(panel_handlers.open, [listed], [chat, entries, key, title, panel_note, panel, *downloads],
                     **private)
        new.click(panel_handlers.new, None, [chat, entries, key, listed, title, panel_note, panel, *downloads],
                  queue=False, **private)
        rename.click(panel_handlers.rename, [title, key], [listed, title, panel_note], **private)
        title.submit(panel_handlers.rename, [title, key], [listed, title, panel_note], **private)
        delete.click(lambda: gr.update(visible=True), None, confirm, queue=False, **private)
        confirm.click(panel_handlers.delete, [key], [chat, entries, key, listed, title, panel_note, panel,
                                                     *downloads, confirm], **private)
        export.click(panel_handlers.export, [key], [*downloads, panel_note], concurrency_limit=2, **private)
        chat.like(panel_handlers.rate, [entries, comment], [entries, chat, comment, feedback_note, rated_turn],
                  **private)
        gr.on([save_comment.click, comment.submit], panel_handlers.comment, [comment, rated_turn, entries],
              [comment, feedback_note], **private)
        # the chat's own clear button starts a new conversation: forget the turns and the open source
        chat.clear(panel_handlers.new, None, [chat, entries, key, listed, title, panel_note, panel, *downloads],
                   queue=False, **private)

        # -- the corpus tab, and the administrators' tools ------------------------------------
        table_outputs = [table, shown, corpus_note]
        corpus_tab.select(corpus.table, [search], table_outputs, **private)
        search.change(corpus.table, [search], table_outputs, trigger_mode="always_last", **private)
        table.select(corpus.open, [shown], [document_view, chosen, withdraw_row], **private).then(
            lambda: gr.update(visible=False), None, confirm_withdraw, queue=False, **private)
        withdraw.click(lambda: gr.update(visible=True), None, confirm_withdraw, queue=False, **private)
        confirm_withdraw.click(corpus.withdraw, [chosen, search],
                               [admin_note, *table_outputs, document_view, chosen, withdraw_row, ingest_report,
                                withdrawn], concurrency_limit=1, **private)
        restore.click(corpus.restore, [withdrawn, search], [admin_note, *table_outputs, ingest_report, withdrawn],
                      concurrency_limit=1, **private)
        add.click(handlers.upload, [document], [upload_note], concurrency_limit=1, **private)
        gaps.click(corpus.gaps, [period], [gap_report], concurrency_limit=1, **private)
        page.load(handlers.admin_view, None, [upload_group, admin_reason], queue=False, **private)
        page.load(corpus.admin_view, None, [ingest_report, withdrawn, corpus_admin, gap_group], **private)
        page.load(**listing)
    return page
