"""Two replicas behind no load balancer but the test: one answer per Slack event, one database of feedback,
an upload on one answered from by the other, and a replica killed mid-load losing no acknowledged feedback.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.storage.feedback import FeedbackStore
from tests.replicas.conftest import Cluster
from tests.slack.standin import BOT_USER_ID, TEAM_ID
from tests.stress.load import SIGNING_SECRET, SlackClient

pytestmark = [pytest.mark.replicas, pytest.mark.postgres, pytest.mark.redis]

GARTNER = "What share of companies have actually cut customer-service staff because of AI, according to Gartner?"
KENYA = "How many people work in Kenya's BPO sector?"


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def answers_in(cluster: Cluster, channel: str, thread: str) -> list[Any]:
    return [c for c in cluster.slack_api.calls_to("chat.postMessage", channel=channel, thread_ts=thread)
            if any(str(b.get("block_id", "")).startswith("answer-") for b in c.params.get("blocks") or [])]


def metric(url: str, name: str, **labels: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10, trust_env=False).text
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(wanted + " "))


def test_a_slack_retry_delivered_to_the_other_replica_is_answered_once(cluster: Cluster) -> None:
    first, second = cluster.replicas
    api = cluster.slack_api
    ts, channel = api.next_ts(), "C0REPLICA1"
    event = {"type": "app_mention", "user": "U0RETRY01", "text": f"<@{BOT_USER_ID}> {GARTNER}", "ts": ts,
             "channel": channel, "team": TEAM_ID}
    api.add_message(channel, event)
    body = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "api_app_id": "A0APP001", "event": event,
                       "event_id": f"Ev{uuid.uuid4().hex[:16].upper()}", "event_time": int(time.time())})
    duplicates_before = metric(second.url, "assistant_slack_events_total", outcome="duplicate")
    with httpx.Client(timeout=30, trust_env=False) as http:
        assert http.post(f"{first.url}/slack/events", content=body, headers=signed(body)).status_code == 200
        retry = http.post(f"{second.url}/slack/events", content=body,
                          headers={**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status_code == 200
    api.wait_for("chat.postMessage", channel=channel, thread_ts=ts)
    time.sleep(3.0)  # time enough for a second answer, if one were coming
    assert len(answers_in(cluster, channel, ts)) == 1
    assert len(api.calls_to("reactions.add", channel=channel, timestamp=ts)) == 1
    assert metric(second.url, "assistant_slack_events_total", outcome="duplicate") == duplicates_before + 1


def test_feedback_from_both_replicas_lands_in_one_database(cluster: Cluster) -> None:
    marks: dict[str, int] = {}
    with httpx.Client(timeout=120, trust_env=False) as http:
        for asked, rated in (cluster.replicas, cluster.replicas[::-1]):
            answer = http.post(f"{asked.url}/api/ask", json={"question": KENYA})
            assert answer.status_code == 200, answer.text
            mark = f"rated on {rated.name}, asked on {asked.name} {uuid.uuid4().hex[:6]}"
            feedback = http.post(f"{rated.url}/api/feedback", json={
                "rating": -1, "question": KENYA, "answer": answer.json()["answer"], "comment": mark,
                "turn_id": int(answer.headers["X-Turn-Id"])})  # the turn was logged by the other replica
            assert feedback.status_code == 201, feedback.text
            marks[mark] = feedback.json()["id"]
    store = FeedbackStore(cluster.database_url, upgrade=False)
    stored = {row["comment"]: row["id"] for row in store.feedback()}
    assert {mark: stored.get(mark) for mark in marks} == marks
    store.close()


def test_a_slack_click_on_either_replica_counts_once(cluster: Cluster) -> None:
    first, second = cluster.replicas
    clients = [SlackClient(first.url, cluster.slack_api), SlackClient(second.url, cluster.slack_api)]
    try:
        event, response = clients[0].mention("C0REPLICA2", "U0CLICK01", KENYA, None)
        assert response.status_code == 200
        answer = cluster.slack_api.wait_for("chat.postMessage", channel="C0REPLICA2", thread_ts=event["ts"])[-1]
        for client in (clients[1], clients[0]):  # the same person clicks the same button on each replica
            assert client.click(answer, "U0CLICK01", "feedback_helpful").status_code == 200
        notes = cluster.slack_api.wait_for("chat.postEphemeral", count=2, channel="C0REPLICA2", user="U0CLICK01")
        assert "already recorded" in notes[-1].params["text"]
    finally:
        for client in clients:
            client.close()
    store = FeedbackStore(cluster.database_url, upgrade=False)
    assert [r["rating"] for r in store.feedback() if r["user"] == "U0CLICK01"] == [1]
    store.close()


def test_a_document_uploaded_through_one_replica_is_answered_by_the_other(cluster: Cluster) -> None:
    first, second = cluster.replicas
    document = ("---\nid: vanuatu-contact-centres\ntitle: Vanuatu contact centres\nlanguage: en\n---\n\n"
                "# Vanuatu contact centres\n\nPort Vila's contact centres employed 4,321 agents in 2025, "
                "according to the Vanuatu outsourcing board.\n")
    question = "How many agents did Port Vila's contact centres employ in 2025?"
    with httpx.Client(timeout=120, trust_env=False) as http:
        uploaded = http.post(f"{first.url}/api/admin/upload",
                             files={"file": ("vanuatu.md", document.encode(), "text/markdown")})
        assert uploaded.status_code == 201, uploaded.text
        started = time.monotonic()
        while True:
            body = http.post(f"{second.url}/api/ask", json={"question": question}).json()
            if any(c["doc_id"] == "vanuatu-contact-centres" for c in body["citations"]):
                break
            assert time.monotonic() - started < 10, body
            time.sleep(0.25)
    assert "4,321" in body["answer"] and not body["refused"]


def test_a_replica_killed_mid_load_loses_no_acknowledged_feedback(cluster: Cluster) -> None:
    first, second = cluster.replicas
    acknowledged: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 10.0

    def person(number: int) -> None:
        """Rates answers back to back; like a load balancer, tries the other replica when one fails."""
        with httpx.Client(timeout=30, trust_env=False) as http:
            turn = 0
            while time.monotonic() < deadline:
                turn += 1
                mark = f"load {number}-{turn}"
                body = {"rating": 1 if turn % 2 else -1, "question": GARTNER, "answer": "20% [1]", "comment": mark}
                for replica in (cluster.replicas[(number + turn) % 2], cluster.replicas[(number + turn + 1) % 2]):
                    try:
                        if number % 3 == 0:  # some people ask too, so the replicas are busy answering
                            http.post(f"{replica.url}/api/ask", json={"question": KENYA})
                        response = http.post(f"{replica.url}/api/feedback", json=body)
                    except httpx.HTTPError:
                        continue  # not acknowledged: the other replica gets it
                    if response.status_code == 201:
                        with lock:
                            acknowledged[mark] = response.json()["id"]
                        break
                    failures.append(f"{replica.name}: {response.status_code} {response.text[:200]}")
                    break

    threads = [threading.Thread(target=person, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(4.0)
    during = len(acknowledged)
    first.kill()  # SIGKILL: no shutdown, no flush, requests in flight cut
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert during > 0 and len(acknowledged) > during  # the load went on, on the survivor
    assert not first.alive() and second.alive()
    store = FeedbackStore(cluster.database_url, upgrade=False)
    stored = {row["comment"]: row["id"] for row in store.feedback() if str(row["comment"]).startswith("load ")}
    store.close()
    lost = {mark for mark, feedback_id in acknowledged.items() if stored.get(mark) != feedback_id}
    assert lost == set(), f"{len(lost)} of {len(acknowledged)} acknowledged feedback rows lost"
