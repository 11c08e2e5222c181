"""Real PostgreSQL and Redis servers on loopback for the tests that need them, started and stopped here
(and stopped and started again on the same port and data, for the outage tests: ``stop()``, ``start()``).

PostgreSQL 15's binaries come with Debian's postgresql-15 (``/usr/lib/postgresql/15/bin``) and Redis
with redis-server; ``make test`` installs what is missing (the Makefile's ``services`` target).
PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

_START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _missing(what: str) -> None:
    pytest.fail(f"{what} is not installed: run `make services` (or `make test`, which does).")


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or ([shutil.which(name)] if shutil.which(name)
                                                                        else [])
    if not found or not found[-1]:
        _missing(f"PostgreSQL's {name}")
    return str(found[-1])


@dataclass
class PostgresServer:
    port: int
    data: Path
    process: subprocess.Popen[bytes] | None = None
    user: str | None = None
    fsync: bool = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "test") -> str:
        """A fresh, empty database on this server; its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start(self) -> None:
        """(Re)start ``postgres`` on this cluster and port; returns once it answers queries."""
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data}",
                   "-c", "max_connections=200", "-c", f"fsync={'on' if self.fsync else 'off'}"]
        self.process = subprocess.Popen([postgres_bin("postgres"), "-D", str(self.data), "-p", str(self.port),
                                         *options], user=self.user, cwd=self.data,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, "postgres")
        _wait_for_queries(self)

    def stop(self) -> None:
        """Fast shutdown (roll back what is open, then stop), as an operator's restart does; data stays."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def postgres(fsync: bool = False) -> Iterator[PostgresServer]:
    """A throw-away cluster: ``initdb`` in a temporary folder, ``postgres`` on a free loopback port."""
    user = "postgres" if os.geteuid() == 0 else None
    data = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    subprocess.run([postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale", "--no-sync"], user=user, check=True, capture_output=True, cwd=data)
    server = PostgresServer(port=free_port(), data=data, user=user, fsync=fsync)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url()).flushall()

    def start(self) -> None:
        """(Re)start redis-server on this port, empty (nothing is saved to disk)."""
        binary = shutil.which("redis-server")
        if binary is None:
            _missing("redis-server")
        assert binary is not None
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--protected-mode", "yes"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(port=free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not listen on port {port}")


def _wait_for_queries(server: PostgresServer) -> None:
    """Listening is not ready: until recovery ends, connections get "the database system is starting up"."""
    import psycopg

    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(server.url(), connect_timeout=2) as connection:
                connection.execute("SELECT 1")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis_service() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server
