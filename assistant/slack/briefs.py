"""The "Export brief" button: the thread's saved conversation as a PDF strategy brief, uploaded into
the thread with Slack's files API (``files.getUploadURLExternal``, the upload, then
``files.completeUploadExternal``, which ``WebClient.files_upload_v2`` does in turn).

A brief of private (ephemeral) answers goes to the person's direct messages instead, since a file
in the thread would show everyone what only they could see.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from slack_sdk import WebClient

from ..models import Language
from ..storage.conversations import ConversationStore, StoredConversation
from ..storage.feedback import FeedbackStore
from .messages import say

log = logging.getLogger(__name__)


class BriefFile(Protocol):
    name: str
    data: bytes


BriefMaker = Callable[[StoredConversation], BriefFile]


def export_brief(client: WebClient, store: FeedbackStore, make: BriefMaker, turn_id: int, channel: str,
                 thread_ts: str, user: str, language: Language) -> str | None:
    """Upload the brief of the conversation ``turn_id`` belongs to; a note for the person, or None."""
    conversations = ConversationStore(store)
    found = conversations.of_turn(turn_id)
    conversation = conversations.get(found, owner=None) if found is not None else None
    if conversation is None or not conversation.turns:
        return say("brief_missing", language)
    brief = make(conversation)
    private = conversation.summary.key.count(":") >= 3  # slack:channel:thread:user is a private thread
    sources = len({(c.get("doc_id"), c.get("quote")) for t in conversation.turns for c in t.citations})
    comment = say("brief_comment", language, questions=len(conversation.turns), sources=sources)
    if private:
        opened = client.conversations_open(users=user)
        client.files_upload_v2(channel=str((opened.get("channel") or {}).get("id")), content=brief.data,
                               filename=brief.name, title=brief.name, initial_comment=comment)
        return say("brief_private", language)
    client.files_upload_v2(channel=channel, thread_ts=thread_ts, content=brief.data, filename=brief.name,
                           title=brief.name, initial_comment=comment)
    log.info("brief of conversation %s uploaded to %s", conversation.summary.id, channel)
    return None


def brief_maker(assistant: object) -> BriefMaker | None:
    """The assistant's PDF brief exporter, when it has one (test stand-ins may not)."""
    workflow = getattr(assistant, "workflow", None)
    if not callable(workflow):
        return None

    def make(conversation: StoredConversation) -> BriefFile:
        made: BriefFile = workflow().export_brief(conversation, "pdf")
        return made

    return make
