"""Slow clients against a real ``graphsvc serve``: a request's headers and body each have a deadline.

Real sockets against a served app (a subprocess), with the deadline set to 1 s and the minimum body rate to
100 bytes a second (``GRAPHSVC_CLIENT_TIMEOUT_SECONDS``, ``GRAPHSVC_CLIENT_MIN_BYTES_PER_SECOND``). The upper
bounds asserted are the deadline plus a generous margin for a busy machine: they show the connection is cut, not
how fast.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.model import Dataset, Entity, Need, Offer
from graphsvc.store import SQLiteStore
from tests.api.conftest import KEY
from tests.api.test_workers import free_port

TIMEOUT = 1.0
MIN_RATE = 100
CUT_WITHIN = TIMEOUT + 4.0  # seconds: the deadline, and a margin for a loaded two-core machine
START_TIMEOUT = 240.0


@dataclass
class Served:
    host: str
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def serve(tmp_path: Path, data: Dataset, workers: int) -> Iterator[Served]:
    store = SQLiteStore(tmp_path / "slow.db")
    store.upsert(data)
    store.close()
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {
        **os.environ,
        "GRAPHSVC_STORE": f"sqlite://{tmp_path / 'slow.db'}",
        "GRAPHSVC_API_KEYS": KEY,
        "GRAPHSVC_CLIENT_TIMEOUT_SECONDS": str(TIMEOUT),
        "GRAPHSVC_CLIENT_MIN_BYTES_PER_SECOND": str(MIN_RATE),
    }
    command = [sys.executable, "-m", "graphsvc", "serve", "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        served = Served("127.0.0.1", port, log_path)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the server did not start"
                try:
                    if httpx.get(f"{served.base}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            yield served
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


SMALL = Dataset(
    entities=[
        Entity(id="c1", kind="community", name="拱北第1社区", street="拱北"),
        Entity(id="e1", kind="enterprise", name="爱心企业一"),
    ],
    needs=[Need(community="c1", category="elderly_care", weight=3)],
    offers=[Offer(partner="e1", category="elderly_care", capacity=2)],
)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module's tests (each test uses connections of its own)."""
    yield from serve(tmp_path_factory.mktemp("slow"), SMALL, workers=1)


def trickle(sock: socket.socket, data: bytes, *, every: float) -> float:
    """Send ``data`` a byte every ``every`` seconds until the server closes; the seconds until it did."""
    started = time.monotonic()
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # reset or broken pipe: the server has closed the connection
            break
        time.sleep(every)
        if peer_closed(sock):
            break
    return time.monotonic() - started


def peer_closed(sock: socket.socket) -> bool:
    """Whether the server has answered or closed (something, or end of file, is ready to read)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) is not None
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read what the server sent until it closed: status, headers, body."""
    sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


REQUEST = b"GET /communities/c1/gaps HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n"


def test_headers_a_byte_at_a_time_are_cut_off_with_a_408(one_worker: Served) -> None:
    with one_worker.connect() as sock:
        took = trickle(sock, REQUEST * 5, every=0.2)
        status, headers, body = answer(sock)
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert problem["status"] == 408 and "headers did not arrive within 1 s" in problem["detail"]
    assert TIMEOUT * 0.9 <= took <= CUT_WITHIN


def test_forty_slow_clients_are_all_cut_off_and_others_are_served_meanwhile(one_worker: Served) -> None:
    sockets = [one_worker.connect() for _ in range(40)]
    took: list[float] = []
    try:
        threads = [
            threading.Thread(target=lambda s=s: took.append(trickle(s, REQUEST * 5, every=0.25))) for s in sockets
        ]
        for thread in threads:
            thread.start()
        response = httpx.get(f"{one_worker.base}/communities/c1", timeout=10)
        assert response.status_code == 200, "a client that sends its request at once is served meanwhile"
        for thread in threads:
            thread.join(60)
    finally:
        for sock in sockets:
            sock.close()
    assert len(took) == 40
    assert max(took) <= CUT_WITHIN + 2, f"slowest cut after {max(took):.1f} s"


def test_a_body_slower_than_the_minimum_rate_is_cut_off(one_worker: Served) -> None:
    part = b'--b0\r\nContent-Disposition: form-data; name="files"; filename="entities.csv"\r\n\r\n'
    body = b"x" * 5000
    head = (
        f"POST /imports HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
        "Content-Type: multipart/form-data; boundary=b0\r\n"
        f"Content-Length: {len(part) + len(body)}\r\n\r\n"
    ).encode()
    with one_worker.connect() as sock:
        sock.sendall(head + part)
        took = trickle(sock, body, every=0.05)  # 20 bytes a second, under the 100 allowed
        status, _, answered = answer(sock)
    assert status == 408
    assert "slower than 100 bytes a second" in json.loads(answered)["detail"]
    assert TIMEOUT * 0.9 <= took <= CUT_WITHIN
    assert "Traceback" not in one_worker.log.read_text()


def test_an_upload_on_a_slow_honest_link_is_not_cut_off(one_worker: Served) -> None:
    rows = "id,kind,name\n" + "".join(f"slow{i},community,慢社区{i}\n" for i in range(40))
    part = (
        '--b0\r\nContent-Disposition: form-data; name="files"; filename="entities.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n" + rows + "\r\n--b0--\r\n"
    ).encode()
    head = (
        f"POST /imports HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nConnection: close\r\n"
        "Content-Type: multipart/form-data; boundary=b0\r\n"
        f"Content-Length: {len(part)}\r\n\r\n"
    ).encode()
    chunk = 60  # 60 bytes every 0.25 s: 240 bytes a second, over the 100 required
    started = time.monotonic()
    with one_worker.connect() as sock:
        sock.sendall(head)
        for at in range(0, len(part), chunk):
            sock.sendall(part[at : at + chunk])
            time.sleep(0.25)
        status, _, answered = answer(sock)
    assert time.monotonic() - started > 2 * TIMEOUT, "the upload took longer than the deadline alone"
    assert status == 201, answered
    assert httpx.get(f"{one_worker.base}/entities/slow39", timeout=10).status_code == 200


def test_the_next_request_on_a_kept_alive_connection_has_its_deadline_too(one_worker: Served) -> None:
    with one_worker.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        took = trickle(sock, REQUEST * 5, every=0.2)
        status, _, _ = answer(sock)
    assert status == 408
    assert took <= CUT_WITHIN


def slow_request_status(sock: socket.socket) -> int:
    trickle(sock, REQUEST * 5, every=0.2)
    return answer(sock)[0]


def test_every_worker_process_has_the_deadline(tmp_path: Path) -> None:
    for served in serve(tmp_path, SMALL, workers=2):
        sockets = [served.connect() for _ in range(6)]  # several at once: the kernel hands them to both workers
        try:
            with ThreadPoolExecutor(len(sockets)) as pool:
                statuses = list(pool.map(slow_request_status, sockets))
        finally:
            for sock in sockets:
                sock.close()
        assert statuses == [408] * 6


def test_uvicorn_run_by_hand_takes_the_deadline_from_the_environment(tmp_path: Path) -> None:
    """The README's ``uvicorn --factory ... --http graphsvc.api.slow_clients:GuardedH11Protocol``."""
    path = tmp_path / "hand.db"
    with SQLiteStore(path) as store:
        store.upsert(SMALL)
    port = free_port()
    env = {
        **os.environ,
        "GRAPHSVC_STORE": f"sqlite://{path}",
        "GRAPHSVC_CLIENT_TIMEOUT_SECONDS": str(TIMEOUT),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "graphsvc.api.app:create_app", "--port", str(port)]
    command += ["--http", "graphsvc.api.slow_clients:GuardedH11Protocol", "--log-level", "warning"]
    with (tmp_path / "uvicorn.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        served = Served("127.0.0.1", port, tmp_path / "uvicorn.log")
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, served.log.read_text()
            assert time.monotonic() < deadline, "uvicorn did not start"
            try:
                httpx.get(f"{served.base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        with served.connect() as sock:
            took = trickle(sock, REQUEST * 5, every=0.2)
            assert answer(sock)[0] == 408
        assert took <= CUT_WITHIN
    finally:
        process.terminate()
        process.wait(30)


def test_a_body_the_server_stops_reading_is_not_the_clients_delay() -> None:
    """While the app has not taken what came (uvicorn stops reading past 64 KB), the body's clock stops: a client
    that sent everything at once is not cut off for the app's delay."""
    import asyncio

    import uvicorn

    from graphsvc.api.slow_clients import ClientTimeouts, guarded_protocol

    async def slow_reader(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(3 * TIMEOUT)  # the app is busy before it reads the body
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(size).encode()})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    timeouts = ClientTimeouts(TIMEOUT, 10**9)  # a rate no client reaches: the body's deadline is the 1 s alone
    config = uvicorn.Config(slow_reader, http=guarded_protocol(timeouts), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        body = b"x" * 300_000
        response = httpx.post(f"http://127.0.0.1:{sock.getsockname()[1]}/", content=body, timeout=30)
        assert response.status_code == 200
        assert response.text == str(len(body))
    finally:
        server.should_exit = True
        thread.join(15)
