"""The language model's draft in a Slack thread, shown as it is written and edited in place."""

from __future__ import annotations

import time

from slack_sdk import WebClient

# Slack allows about one chat.update a second per channel; more are answered "ratelimited".
DRAFT_EDIT_INTERVAL_S = 1.0


class DraftMessage:
    """Posts the draft once, then edits it at most every ``DRAFT_EDIT_INTERVAL_S``.

    The handler replaces it with the checked answer (``ts``) at the end. Ephemeral messages
    cannot be edited, so for them nothing is posted until the answer is finished.
    """

    def __init__(self, client: WebClient, channel: str, thread_ts: str, editable: bool = True) -> None:
        self.client, self.channel, self.thread_ts, self.editable = client, channel, thread_ts, editable
        self.text = ""
        self.ts: str | None = None
        self._edited_at = 0.0

    def add(self, piece: str) -> None:
        self.text += piece
        if not self.editable or time.monotonic() - self._edited_at < DRAFT_EDIT_INTERVAL_S:
            return
        shown = f"{self.text} …"
        if self.ts is None:
            reply = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=shown,
                                                 unfurl_links=False, unfurl_media=False)
            self.ts = str(reply["ts"])
        else:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=shown)
        self._edited_at = time.monotonic()
