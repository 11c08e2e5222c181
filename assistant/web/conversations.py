"""The conversation panel and the thumbs under every answer.

The panel lists the visitor's saved conversations (the logged-in user's, or without login the
browser's, by its cookie), opens one to go on with it, renames, deletes and exports it as a
strategy brief. Every answer has its own thumbs; the rating is stored against that answer, with
the comment typed in the box beside the chat (before or after the click).
"""

from __future__ import annotations

import functools
import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from ..errors import AlreadyRated, ServerDown
from .chat import Entry, chat_update, note, stored_entry
from .context import WebContext
from .owner import owner_of
from .render import PANEL_EMPTY
from .render_workflow import conversation_label

log = logging.getLogger(__name__)
Outputs = tuple[Any, ...]
NO_OWNER = "Conversations are kept per browser: allow this site's cookie to keep them."


P = ParamSpec("P")
R = TypeVar("R")


def new_key() -> str:
    return f"web:{uuid.uuid4().hex}"


def plain_when_down(handler: Callable[P, R]) -> Callable[P, R]:
    """With the database down, the visitor sees one plain sentence (Gradio's error box), not a failure."""

    @functools.wraps(handler)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except ServerDown as error:
            log.warning("conversation panel: %s", error)
            raise gr.Error(error.public, print_exception=False) from None

    return wrapped


class ConversationHandlers:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def owner(self, request: gr.Request | None) -> str | None:
        return owner_of(request, self.ctx.login_required)

    # -- the panel ---------------------------------------------------------------------
    def listing(self, key: str | None, request: gr.Request) -> Outputs:
        """(conversation list, title box, panel note): the owner's conversations, the open one chosen."""
        owner = self.owner(request)
        if owner is None:
            return gr.update(choices=[], value=None), gr.update(value=""), note(NO_OWNER, "bad")
        try:
            summaries = self.ctx.conversations.owned(owner)
        except ServerDown as error:
            log.warning("conversation list: %s", error)
            return gr.skip(), gr.skip(), note(error.public, "bad")
        current = next((s for s in summaries if s.key == key), None)
        choices = [(conversation_label(s), s.id) for s in summaries]
        hint = "" if summaries else note("Your conversations will be listed here.")
        return (gr.update(choices=choices, value=current.id if current else None),
                gr.update(value=current.title if current else ""), hint)

    @plain_when_down
    def open(self, conversation_id: int | None, request: gr.Request) -> Outputs:
        """(chat, entries, key, title box, panel note, source panel, pdf, md) for the chosen conversation."""
        owner = self.owner(request)
        found = (self.ctx.conversations.get(int(conversation_id), owner)
                 if conversation_id is not None and owner is not None else None)
        if found is None:
            return (gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                    note("This conversation cannot be opened.", "bad"), gr.skip(), *_hidden_downloads())
        entries = [stored_entry(turn) for turn in found.turns]
        return (chat_update(entries), entries, found.summary.key, gr.update(value=found.summary.title), "",
                PANEL_EMPTY, *_hidden_downloads())

    def new(self) -> Outputs:
        """(chat, entries, key, list selection, title box, panel note, source panel, pdf, md)."""
        return (chat_update([]), [], None, gr.update(value=None), gr.update(value=""), "", PANEL_EMPTY,
                *_hidden_downloads())

    @plain_when_down
    def rename(self, title: str | None, key: str | None, request: gr.Request) -> Outputs:
        """(conversation list, title box, panel note)."""
        owner, found = self._current(key, request)
        if found is None or owner is None:
            return gr.skip(), gr.skip(), note("Ask a question first: then the conversation can be renamed.", "bad")
        if not self.ctx.conversations.rename(found, owner, title or ""):
            return gr.skip(), gr.skip(), note("Give the conversation a name first.", "bad")
        listing = self.listing(key, request)
        return listing[0], listing[1], note("Renamed.", "ok")

    @plain_when_down
    def delete(self, key: str | None, request: gr.Request) -> Outputs:
        """(chat, entries, key, list, title box, panel note, source panel, pdf, md, confirm button)."""
        owner, found = self._current(key, request)
        if found is None or owner is None or not self.ctx.conversations.delete(found, owner):
            return (*[gr.skip()] * 5, note("There is no saved conversation to delete.", "bad"), gr.skip(),
                    *_hidden_downloads(), gr.update(visible=False))
        listing = self.listing(None, request)
        return (chat_update([]), [], None, listing[0], listing[1], note("The conversation was deleted.", "ok"),
                PANEL_EMPTY, *_hidden_downloads(), gr.update(visible=False))

    @plain_when_down
    def export(self, key: str | None, request: gr.Request) -> Outputs:
        """(pdf download, md download, panel note): the open conversation as a strategy brief."""
        owner, found = self._current(key, request)
        conversation = self.ctx.conversations.get(found, owner) if found is not None else None
        if conversation is None or not conversation.turns:
            return *_hidden_downloads(), note("Ask a question first: the brief is made from the conversation.", "bad")
        folder = Path(tempfile.mkdtemp(prefix="brief-"))
        files = []
        try:
            for fmt in ("pdf", "md"):
                brief = self.ctx.assistant.workflow().export_brief(conversation, fmt)  # type: ignore[arg-type]
                (folder / brief.name).write_bytes(brief.data)
                files.append(folder / brief.name)
        except Exception as error:
            log.exception("brief export failed")
            return *_hidden_downloads(), note(f"The brief could not be made ({error.__class__.__name__}).", "bad")
        return (gr.update(value=str(files[0]), visible=True), gr.update(value=str(files[1]), visible=True),
                note(f"Brief ready: {len(conversation.turns)} questions.", "ok"))

    def _current(self, key: str | None, request: gr.Request) -> tuple[str | None, int | None]:
        owner = self.owner(request)
        if owner is None or not key:
            return owner, None
        return owner, self.ctx.conversations.id_of(key, owner)

    # -- thumbs on every answer ----------------------------------------------------------
    def rate(self, entries: list[Entry], comment: str | None, liked: gr.LikeData, request: gr.Request) -> Outputs:
        """(entries, chat, comment box, feedback note, rated turn)."""
        index = liked.index[0] if isinstance(liked.index, (list, tuple)) else liked.index
        position = int(index) // 2
        if not 0 <= position < len(entries) or entries[position]["kind"] != "turn":
            return entries, gr.skip(), gr.skip(), note("Only answers can be rated.", "bad"), gr.skip()
        entry = entries[position]
        rater = self.owner(request)
        rating = 1 if liked.liked is True else -1 if liked.liked is False else 0
        text = (comment or "").strip() or None
        try:
            if entry["turn_id"] is not None and rater is not None:
                self.ctx.conversations.unrate(entry["turn_id"], rater)  # one current rating per answer
            if rating:
                self.ctx.store.record_feedback(rating, entry["question"], entry["answer"], entry["citations"],
                                               "web", rater, text, entry["turn_id"])
        except AlreadyRated:
            pass
        except ServerDown as error:
            log.warning("feedback not saved: %s", error)
            return entries, chat_update(entries), comment, note(f"Your feedback was not saved. {error.public}",
                                                                 "bad"), gr.skip()
        except Exception as error:
            log.exception("feedback not saved")
            return (entries, chat_update(entries), comment,
                    note(f"Your feedback could not be saved ({error.__class__.__name__}); please try again.", "bad"),
                    gr.skip())
        entries = [*entries[:position], {**entry, "rated": rating or None}, *entries[position + 1:]]
        number = sum(1 for e in entries[: position + 1] if e["kind"] == "turn")
        if not rating:
            return entries, gr.skip(), comment, note(f"Your rating of answer {number} was removed.", "ok"), None
        thanks = f"Thanks, answer {number} noted as {'helpful' if rating > 0 else 'not helpful'}."
        thanks += " Your comment was saved too." if text else " Add a comment below if you like."
        gr.Info(thanks, duration=4)  # seen even when the note is below the fold
        return entries, gr.skip(), "" if text else comment, note(thanks, "ok"), entry["turn_id"]

    @plain_when_down
    def comment(self, comment: str | None, turn_id: int | None, entries: list[Entry],
                request: gr.Request) -> Outputs:
        """(comment box, feedback note): the comment joins the rating just given."""
        text = (comment or "").strip()
        rater = self.owner(request)
        if not text:
            return comment, note("Write a comment first.", "bad")
        if turn_id is None or rater is None or not self.ctx.conversations.comment(turn_id, rater, text):
            return comment, note("Rate an answer with the thumbs first; the comment goes with that rating.", "bad")
        number = next((i + 1 for i, e in enumerate(e for e in entries if e["kind"] == "turn")
                       if e["turn_id"] == turn_id), None)
        return "", note(f"Comment saved with your rating of answer {number or ''}.".replace("  ", " "), "ok")


def _hidden_downloads() -> tuple[Any, Any]:
    return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
