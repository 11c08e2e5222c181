"""The chat page (Gradio Blocks): streamed cited answers, a source panel, feedback, admin upload.

The page is a thin shell over ``WebContext``: the conversation lives in a per-visitor
``gr.State`` (plain text turns for follow-ups) and the chat widget only shows HTML built by
``render``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from ..api import clean_question
from ..errors import Busy, IndexUnavailable, QuestionError, UploadError
from ..logs import request_scope
from ..models import DOCUMENT_SUFFIXES, Turn
from ..text import detect_language
from .assets import CSS, HEAD
from .context import Answered, WebContext
from .render import (
    PANEL_EMPTY,
    escape_text,
    render_answer,
    render_draft,
    render_error,
    render_pending,
    render_question,
)

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

Entry = dict[str, Any]
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


def note(text: str, kind: str = "") -> str:
    return f'<p class="note {kind}">{escape_text(text)}</p>' if text else ""


def chat_messages(entries: list[Entry]) -> list[dict[str, str]]:
    messages = []
    for entry in entries:
        messages.append({"role": "user", "content": render_question(entry["question"])})
        messages.append({"role": "assistant", "content": entry["html"]})
    return messages


def history_of(entries: list[Entry]) -> list[Turn]:
    """The conversation so far as the assistant's follow-up handling wants it (errors left out)."""
    turns: list[Turn] = []
    for entry in entries:
        if entry["kind"] == "turn":
            turns += [Turn(role="user", content=entry["question"]),
                      Turn(role="assistant", content=entry["answer"])]
    return turns


class PageHandlers:
    """The page's event handlers, bound to one ``WebContext``."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def ask(self, question: str | None, entries: list[Entry], request: gr.Request) -> Iterator[Outputs]:
        """Yields (chat, question box, entries, ask note, feedback note) as the answer streams."""
        question = question or ""
        try:
            clean_question(question, self.ctx.assistant.settings.max_question_chars)
        except QuestionError as error:
            yield gr.skip(), question, entries, note(str(error), "bad"), gr.skip()
            return
        before = [*chat_messages(entries), {"role": "user", "content": render_question(question)}]
        pending = {"role": "assistant", "content": render_pending(detect_language(question))}
        yield [*before, pending], "", entries, "", ""
        draft, answered = "", None
        try:
            with request_scope():
                for event in self.ctx.stream(question, history_of(entries), "web", _user(request),
                                             self.ctx.settings.web.queue_timeout_s):
                    if isinstance(event, Answered):
                        answered = event
                        break
                    # the LLM's draft as it writes; the validated answer replaces it below
                    draft += event
                    yield [*before, {"role": "assistant", "content": render_draft(draft)}], "", entries, "", gr.skip()
        except (QuestionError, IndexUnavailable, Busy) as error:
            yield self._failed(entries, question, str(error))
            return
        except Exception as error:
            log.exception("the page could not answer")
            yield self._failed(entries, question, f"Something went wrong while answering "
                                                  f"({error.__class__.__name__}); please try again.")
            return
        assert answered is not None
        answer, turn_id = answered.answer, answered.turn_id
        entry: Entry = {"kind": "turn", "question": question, "answer": answer.answer,
                        "html": render_answer(answer), "refused": answer.refused,
                        "citations": [c.public() for c in answer.citations], "turn_id": turn_id,
                        "rated": None}
        entries = [*entries, entry]
        yield chat_messages(entries), "", entries, "", gr.skip()

    def _failed(self, entries: list[Entry], question: str, message: str) -> Outputs:
        """The error in the chat and the question back in the box, so nothing typed is lost."""
        entries = [*entries, {"kind": "error", "question": question, "answer": "",
                              "html": render_error(message)}]
        return chat_messages(entries), question, entries, "", note("")

    def rate(self, rating: int) -> Callable[[str | None, list[Entry], gr.Request], Outputs]:
        def handler(comment: str | None, entries: list[Entry], request: gr.Request) -> Outputs:
            """Returns (feedback note, comment box, entries)."""
            index = next((i for i in range(len(entries) - 1, -1, -1) if entries[i]["kind"] == "turn"), None)
            if index is None:
                return note("Ask a question first, then rate the answer.", "bad"), comment, entries
            entry = entries[index]
            if entry["rated"] is not None:
                return note("You already rated this answer. Thank you!", "ok"), comment, entries
            try:
                self.ctx.store.record_feedback(
                    rating, entry["question"], entry["answer"], entry["citations"], "web",
                    _user(request), (comment or "").strip() or None, entry["turn_id"])
            except Exception as error:
                log.exception("feedback not saved")
                return (note(f"Your feedback could not be saved ({error.__class__.__name__}); "
                             "please try again.", "bad"), comment, entries)
            entries = [*entries[:index], {**entry, "rated": rating}, *entries[index + 1 :]]
            thanks = "Thanks, noted as helpful." if rating > 0 else "Thanks, noted as not helpful."
            thanks += " Your comment was saved too." if (comment or "").strip() else ""
            gr.Info(thanks, duration=4)  # seen even when the note is below the fold
            return note(thanks, "ok"), "", entries

        return handler

    def upload(self, path: str | None, request: gr.Request) -> str:
        if not self.ctx.may_upload(_user(request)):
            return note("Only administrators may upload documents.", "bad")
        if not path:
            return note("Choose a file first.", "bad")
        file = Path(path)
        try:
            result = self.ctx.assistant.add_document(file, file.name)
        except UploadError as error:
            return note(str(error), "bad")
        except IndexUnavailable as error:
            return note(str(error), "bad")
        except Exception as error:
            log.exception("upload failed")
            return note(f"The upload failed ({error.__class__.__name__}); the index is unchanged.", "bad")
        return note(result.message, "ok")

    def admin_view(self, request: gr.Request) -> tuple[Any, str]:
        allowed = self.ctx.may_upload(_user(request))
        if allowed:
            return gr.update(visible=True), ""
        reason = ("Uploads are for administrators (ASSISTANT_WEB_ADMINS)." if self.ctx.login_required
                  else "Uploads are off while the server listens beyond this machine without a login; "
                       "set ASSISTANT_WEB_USERS and ASSISTANT_WEB_ADMINS.")
        return gr.update(visible=False), note(reason, "bad")


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def build_page(ctx: WebContext) -> gr.Blocks:
    handlers = PageHandlers(ctx)
    limit_mb = f"{ctx.settings.web.upload_max_bytes / 1_000_000:g} MB"
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        entries = gr.State([])
        gr.HTML(HEADER, elem_id="brand", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=340):
                    chat = gr.Chatbot(
                        elem_id="chat", show_label=False, height="calc(100vh - 360px)", min_height=300,
                        autoscroll=False,
                        layout="bubble", buttons=[], latex_delimiters=[], sanitize_html=True,
                        feedback_options=None, group_consecutive_messages=False,
                        placeholder=PLACEHOLDER,
                    )
                    with gr.Row(elem_id="ask-row", equal_height=True):
                        question = gr.Textbox(
                            elem_id="question", show_label=False, lines=1, max_lines=5, scale=6,
                            placeholder="Your question… / Votre question…",
                        )
                        ask = gr.Button("Ask", elem_id="ask-button", variant="primary", scale=1, min_width=90)
                    ask_note = gr.HTML("", elem_id="ask-note", js_on_load=None)
                    with gr.Row(elem_id="feedback-bar", equal_height=True):
                        comment = gr.Textbox(elem_id="comment", show_label=False, lines=1, max_lines=3,
                                             scale=3, min_width=160,
                                             placeholder="Rate the last answer — optional comment")
                        helpful = gr.Button("Helpful", elem_id="thumbs-up", size="sm", scale=0)
                        unhelpful = gr.Button("Not helpful", elem_id="thumbs-down", size="sm", scale=0)
                    feedback_note = gr.HTML("", elem_id="feedback-note", js_on_load=None)
                with gr.Column(scale=2, min_width=300, elem_id="source-col"):
                    panel = gr.HTML(PANEL_EMPTY, elem_id="source-panel", js_on_load=None)
                    gr.HTML("<p class='examples-label'>Examples · Exemples</p>", js_on_load=None)
                    with gr.Column(elem_id="examples"):
                        example_buttons = [gr.Button(text, size="sm", variant="secondary")
                                           for text in EXAMPLES]
            with gr.Tab("Add documents", id="admin"):
                gr.Markdown(f"Add a document to the corpus ({', '.join(DOCUMENT_SUFFIXES)}, at most "
                            f"{limit_mb}). It is indexed at once and can be cited in the next answer, "
                            "without a restart.")
                with gr.Group(visible=True) as upload_group:
                    document = gr.File(label="Document", file_types=list(DOCUMENT_SUFFIXES), type="filepath",
                                       elem_id="upload-file")
                    add = gr.Button("Add to the index", elem_id="upload-button", variant="primary")
                upload_note = gr.HTML("", elem_id="upload-note", js_on_load=None)

        # the page's events are for the page: the HTTP API is /api and /v1
        private: dict[str, Any] = {"api_visibility": "private"}
        ask_outputs = [chat, question, entries, ask_note, feedback_note]
        gr.on([question.submit, ask.click], handlers.ask, [question, entries], ask_outputs,
              show_progress="hidden", **private)
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(lambda text=text: text, None, question, queue=False, **private).then(
                handlers.ask, [question, entries], ask_outputs, show_progress="hidden", **private)
        rating_outputs = [feedback_note, comment, entries]
        helpful.click(handlers.rate(1), [comment, entries], rating_outputs, **private)
        unhelpful.click(handlers.rate(-1), [comment, entries], rating_outputs, **private)
        # the chat's own clear button starts a new conversation: forget the turns and the open source
        chat.clear(lambda: ([], PANEL_EMPTY, "", ""), None, [entries, panel, ask_note, feedback_note],
                   queue=False, **private)
        add.click(handlers.upload, [document], [upload_note], concurrency_limit=1, **private)
        page.load(handlers.admin_view, None, [upload_group, upload_note], queue=False, **private)
    return page
