"""The real service process for the service tests: `powerflow serve` under uvicorn on
127.0.0.1 with a free port, a fixed clock, accounts made beforehand; stopped in teardown."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from powerflow.service.accounts import Accounts
from tests.conftest import FLOWS, ROOT

NOW = "2025-04-10T10:00:00+08:00"
"""The service's clock in these tests (a Thursday; 4 April was 清明, a holiday)."""
PASSWORD = "correct horse battery"
USERS = {"clerk_a": ("clerk", "A"), "clerk_b": ("clerk", "B"), "sup": ("supervisor", None),
         "admin": ("admin", None), "locked": ("clerk", "A")}
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One `powerflow serve` process on a data folder; `tokens` per user name."""

    data: Path
    now: str = NOW
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accounts(self) -> None:
        acc = Accounts(self.data)
        t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        for name, (role, unit) in USERS.items():
            acc.add_user(name, role, unit, PASSWORD, t)
            self.tokens[name] = acc.add_token(name, "tests", t)

    def start(self) -> Server:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        log = self.data.parent / "server.log"
        with log.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "powerflow", "serve", "--data", str(self.data),
                 "--flows", str(FLOWS), "--port", str(self.port), "--now", self.now],
                stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the service did not answer /healthz in time")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        self.proc = None

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[user]}"})


def make_server(tmp: Path, **kw: Any) -> Server:
    s = Server(tmp / "data", **kw)
    s.data.mkdir(parents=True)
    s.accounts()
    return s


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = make_server(tmp_path_factory.mktemp("service")).start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own (not started)."""
    s = make_server(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def open_case(c: httpx.Client, case_id: str, opened: str, power: str = "KJ-QR-0001",
              **kw: Any) -> httpx.Response:
    r = c.post("/api/cases", json={"id": case_id, "power": power, "time": opened, **kw})
    assert r.status_code == 201, r.text
    return r


def fire(c: httpx.Client, case_id: str, event: str, time: str, key: str | None = None,
         **kw: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return c.post(f"/api/cases/{case_id}/events", json={"event": event, "time": time, **kw},
                  headers=headers)


def login(base: str, user: str, password: str = PASSWORD) -> tuple[httpx.Client, httpx.Response]:
    """A browser-like client signed in through the login form (CSRF token from the page)."""
    c = httpx.Client(base_url=base, timeout=30)
    page = c.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = c.post("/login", data={"name": user, "password": password, "csrf": csrf})
    return c, r


def form_csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]
