"""A Slack Web API stand-in on 127.0.0.1: a real HTTP server the real ``slack_sdk`` client talks to.

It answers the methods the bot uses with Slack-shaped JSON, records every call, and keeps the
messages of each thread so ``conversations.replies`` returns what was posted. Files go through
Slack's two-step upload: ``files.getUploadURLExternal`` hands out an upload address on this same
server, the client POSTs the bytes there, and ``files.completeUploadExternal`` shares the file in
a channel or thread (``uploads`` keeps each file's bytes, name and where it was shared).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_TOKEN = "xoxb-1111-2222-standin-bot-token"
APP_TOKEN = "xapp-1-A0APP001-3333-standin-app-token"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0TEST01"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode)
        self.uploads: dict[str, dict[str, Any]] = {}  # file id -> filename, length, data, channel, thread_ts
        self._failures: dict[str, list[str]] = {}
        self._lock = threading.Condition()
        self._clock = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True)

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    # -- test controls -------------------------------------------------------------------
    def next_ts(self) -> str:
        return f"{1_760_000_000 + next(self._clock)}.000100"

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    def add_message(self, channel: str, message: dict[str, Any]) -> None:
        """A message people posted, so that conversations.replies returns it."""
        thread = str(message.get("thread_ts") or message["ts"])
        with self._lock:
            self.threads.setdefault((channel, thread), []).append(message)

    def calls_to(self, method: str, **matching: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and all(c.params.get(k) == v for k, v in matching.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 120.0, **matching: Any) -> list[Call]:
        """Block until ``count`` matching calls were made; fails the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method
                         and all(c.params.get(k) == v for k, v in matching.items())]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.params.get("text", "")[:80]) for c in self.calls]
                    raise AssertionError(f"no {count} x {method} {matching} within {timeout}s; calls: {seen}")
                self._lock.wait(remaining)

    def final_answer(self, channel: str, thread_ts: str, timeout: float = 120.0) -> Call:
        """The finished answer in a thread: a message with blocks, posted at once or as the last
        edit of a streamed draft (then with the draft's ``ts`` as its response)."""
        posted = self.wait_for("chat.postMessage", channel=channel, thread_ts=thread_ts, timeout=timeout)[-1]
        if posted.params.get("blocks"):
            return posted
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                edits = [c for c in self.calls if c.method == "chat.update"
                         and c.params.get("ts") == posted.response["ts"] and c.params.get("blocks")]
                if edits:
                    return Call(edits[-1].method, {**edits[-1].params, "thread_ts": thread_ts}, edits[-1].token,
                                {**edits[-1].response, "ts": posted.response["ts"]})
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"the draft {posted.response['ts']} was never finished within {timeout}s")
                self._lock.wait(remaining)

    # -- the API -------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        response = self._respond(method, params, token)
        with self._lock:
            self.calls.append(Call(method, params, token, response))
            self._lock.notify_all()
        return response

    def _respond(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        with self._lock:
            failures = self._failures.get(method)
            if failures:
                return {"ok": False, "error": failures.pop(0)}
        if method == "apps.connections.open":
            if token != APP_TOKEN or not self.socket_url:
                return {"ok": False, "error": "invalid_auth" if token != APP_TOKEN else "internal_error"}
            return {"ok": True, "url": self.socket_url}
        if token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        responder = self._responders().get(method)
        if responder is None:
            return {"ok": False, "error": "unknown_method"}
        return responder(params)

    def _responders(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": lambda p: {"ok": True, "url": "https://standin.slack.com/", "team": "Stand-in",
                                    "user": "assistant", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                    "bot_id": BOT_ID, "is_enterprise_install": False},
            "chat.postMessage": self._post_message,
            "chat.update": lambda p: {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"),
                                      "text": p.get("text", "")},
            "chat.postEphemeral": lambda p: {"ok": True, "message_ts": self.next_ts()},
            "reactions.add": lambda p: {"ok": True},
            "reactions.remove": lambda p: {"ok": True},
            "conversations.replies": self._replies,
            "users.info": lambda p: {"ok": True, "user": {"id": p.get("user"), "name": "someone",
                                                          "is_bot": False, "tz": "Europe/Paris"}},
            "conversations.open": lambda p: {"ok": True, "channel": {"id": f"D0{str(p.get('users', ''))[2:]}"}},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0{len(self.uploads) + 1:08d}"
        with self._lock:
            self.uploads[file_id] = {"filename": params["filename"], "length": int(params["length"]), "data": None}
        host, port = self._server.server_address[:2]
        return {"ok": True, "upload_url": f"http://{host!s}:{port}/upload/v1/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        with self._lock:
            upload = self.uploads.get(file_id)
            if upload is None or len(data) != upload["length"]:
                return False
            upload["data"] = data
            self._lock.notify_all()
        return True

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(params.get("files") or "[]")
        with self._lock:
            if not files or any(self.uploads.get(f["id"], {}).get("data") is None for f in files):
                return {"ok": False, "error": "file_not_found"}  # Slack's answer when the bytes never came
            for f in files:
                self.uploads[f["id"]].update(title=f.get("title"), channel=params.get("channel_id"),
                                             thread_ts=params.get("thread_ts"),
                                             initial_comment=params.get("initial_comment"))
        shared = [{"id": f["id"], "title": f.get("title"), "name": self.uploads[f["id"]]["filename"]} for f in files]
        if params.get("channel_id"):
            self._post_message({"channel": params["channel_id"], "thread_ts": params.get("thread_ts"),
                                "text": params.get("initial_comment") or "", "files": shared})
        return {"ok": True, "files": shared}

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = self.next_ts()
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": params.get("text", ""),
                   "blocks": params.get("blocks") or [], "ts": ts, "team": TEAM_ID}
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self.add_message(str(params.get("channel")), message)
        return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            messages = list(self.threads.get((str(params.get("channel")), str(params.get("ts"))), []))
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        messages.sort(key=lambda m: tuple(int(part) for part in m["ts"].split(".")))
        return {"ok": True, "messages": messages, "has_more": False}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                url = urlsplit(self.path)
                if url.path.startswith("/upload/v1/"):  # the upload address: raw bytes, no token
                    length = int(self.headers.get("Content-Length") or 0)
                    done = standin.receive_upload(url.path.rsplit("/", 1)[-1], self.rfile.read(length))
                    self.send_response(200 if done else 400)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"OK - " + str(length).encode() if done else b"bad upload")
                    return
                method = url.path.rsplit("/", 1)[-1]
                params: dict[str, Any] = dict(parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body and "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(body))
                elif body:
                    params.update(dict(parse_qsl(body)))
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
                payload = json.dumps(standin.handle(method, params, token)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        return Handler
