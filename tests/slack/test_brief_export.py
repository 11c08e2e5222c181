"""Slack's "Export brief": the thread's conversation as a PDF, uploaded into the thread through the
files API of the stand-in (files.getUploadURLExternal, the upload, files.completeUploadExternal)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.slack.conftest import ALICE, BOB, GENERAL, SlackHarness, block_texts

pytestmark = pytest.mark.slack

QUESTIONS = ("Selon Gartner, quelle part des entreprises a réduit ses effectifs à cause de l'IA ?",
             "Et combien recrutent des profils spécialisés ?",
             "Quand les obligations de transparence de l'AI Act s'appliquent-elles aux chatbots de service client ?")
_MARKER = re.compile(r"\[\d+\]")


def flat(text: str) -> str:
    return " ".join(_MARKER.sub(" ", text).split())


def test_export_brief_uploads_the_threads_pdf_into_the_thread(slack: SlackHarness, tmp_path: Path) -> None:
    first = slack.mention(QUESTIONS[0])
    thread = first["ts"]
    slack.api.wait_for("chat.postMessage", count=1, channel=GENERAL, thread_ts=thread)
    for count, question in enumerate(QUESTIONS[1:], start=2):
        slack.mention(question, thread_ts=thread)
        slack.api.wait_for("chat.postMessage", count=count, channel=GENERAL, thread_ts=thread)
    answer = slack.api.final_answer(GENERAL, thread)
    buttons = [e for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    export = next(b for b in buttons if b["action_id"] == "export_brief")
    assert "Exporter la note" in export["text"]["text"]

    assert slack.click("export_brief", answer, user=BOB).status_code == 200
    done = slack.api.wait_for("files.completeUploadExternal")[-1]
    assert (done.params["channel_id"], done.params["thread_ts"]) == (GENERAL, thread)
    assert "3 questions" in done.params["initial_comment"]
    requested = slack.api.calls_to("files.getUploadURLExternal")[-1]
    upload = next(iter(slack.api.uploads.values()))
    assert upload["filename"] == requested.params["filename"] and upload["filename"].endswith(".pdf")
    assert upload["data"].startswith(b"%PDF-") and upload["thread_ts"] == thread

    pdf = tmp_path / upload["filename"]
    pdf.write_bytes(upload["data"])
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    text = flat(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout)
    rows = slack.store.feedback()  # no feedback was asked for: the click only exported
    assert rows == []
    turns = slack.store.conversation_history(f"slack:{GENERAL}:{thread}", 10)
    assert [t.content for t in turns if t.role == "user"] == list(QUESTIONS)
    for turn in turns:
        if turn.role == "user":
            assert flat(turn.content) in text
    for line in block_texts(answer.params["blocks"], "context"):
        quote = re.search(r"“(.+?)”", line)
        if quote and not quote.group(1).endswith("…"):
            assert flat(quote.group(1).replace("&amp;", "&")) in text


def test_the_brief_of_private_answers_goes_to_direct_messages(make_harness: object, assistant: object) -> None:
    harness: SlackHarness = make_harness(assistant, slack_ephemeral_answers=True)  # type: ignore[operator]
    first = harness.mention(QUESTIONS[0], user=ALICE)
    answer = harness.api.wait_for("chat.postEphemeral", user=ALICE, thread_ts=first["ts"])[-1]
    assert answer.params.get("blocks")
    assert harness.click("export_brief", answer, user=ALICE).status_code == 200
    done = harness.api.wait_for("files.completeUploadExternal")[-1]
    assert done.params["channel_id"] == f"D0{ALICE[2:]}" and not done.params.get("thread_ts")
    note = harness.api.wait_for("chat.postEphemeral", count=2, user=ALICE, thread_ts=first["ts"])[-1]
    assert "messages directs" in note.params["text"]
