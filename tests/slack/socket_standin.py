"""Slack's Socket Mode end on 127.0.0.1: a minimal RFC 6455 WebSocket server that pushes envelopes
and records the acknowledgements the bot sends back."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeStandIn:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._connection: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        self.received: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._serve, name="socket-mode-standin", daemon=True)

    @property
    def url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"wss://127.0.0.1:{port}/link/?ticket=standin-ticket&app_id=A0APP001"

    def start(self) -> SocketModeStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        for sock in (self._connection, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def send(self, message: dict[str, Any], timeout: float = 30.0) -> None:
        """Push one JSON message to the connected bot (waits for the connection)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._connection is None:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError("the bot never opened the Socket Mode connection")
        self._frame(TEXT, json.dumps(message).encode())

    def wait_for_ack(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"no acknowledgement of {envelope_id}; got {self.received}")

    # -- the protocol --------------------------------------------------------------------
    def _serve(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(1024)
            if not chunk:
                return
            request += chunk
        key = next(line.split(":", 1)[1].strip() for line in request.decode().split("\r\n")
                   if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        connection.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        with self._changed:
            self._connection = connection
            self._changed.notify_all()
        self._frame(TEXT, json.dumps({"type": "hello", "num_connections": 1,
                                      "debug_info": {"host": "standin"}}).encode())
        self._read_frames(connection)

    def _read_frames(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        while True:
            try:
                head = reader.read(2)
                if len(head) < 2:
                    return
                opcode, length = head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", reader.read(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", reader.read(8))[0]
                mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(reader.read(length)))
            except OSError:
                return
            if opcode == PING:
                self._frame(PONG, data)
            elif opcode == CLOSE:
                self._frame(CLOSE, data[:2])
                return
            elif opcode == TEXT:
                with self._changed:
                    self.received.append(json.loads(data.decode()))
                    self._changed.notify_all()

    def _frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        assert self._connection is not None
        # A bot that hung up shows as a missing acknowledgement in the test.
        with self._send_lock, contextlib.suppress(OSError):
            self._connection.sendall(header + payload)
