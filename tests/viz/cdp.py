"""A small driver for headless Chromium over the Chrome DevTools Protocol (CDP).

Used by the browser tests and by ``bench/viz_draw.py``. It starts Debian's
``chromium`` with the flags the project's tests use, opens one tab, and records
what a test needs to assert on: uncaught exceptions, console and log errors,
JavaScript dialogs (``alert``) and every URL the page requested.

Only ``websocket-client`` is needed (the ``test`` extra); no browser download.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
"""Headless, unsandboxed (root in CI), no GPU, no background traffic.

:func:`launch` adds a fresh profile, a debugging port and a window size.
"""

OFFLINE_RULES = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
"""``--host-resolver-rules``: every host but this machine fails to resolve, as on planners' offline networks."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else ``chromium`` / ``chromium-browser`` on ``PATH``."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


class CdpError(RuntimeError):
    """A CDP call failed, timed out, or the browser went away."""


@dataclass
class Tab:
    """One page target, driven over its own websocket."""

    ws: websocket.WebSocket
    next_id: int = 0
    exceptions: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    loaded: bool = False

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.exceptions.append(str(text))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.console_errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(str(params.get("message")))
            self._send("Page.handleJavaScriptDialog", {"accept": True})
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.loadEventFired":
            self.loaded = True

    def _send(self, method: str, params: dict[str, Any] | None = None) -> int:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        return self.next_id

    def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30.0) -> dict[str, Any]:
        """Send one command and wait for its answer, handling the events that arrive meanwhile."""
        call_id = self._send(method, params)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"{method}: no answer within {timeout} s")
            self.ws.settimeout(remaining)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException as error:
                raise CdpError(f"{method}: no answer within {timeout} s") from error
            if message.get("id") == call_id:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def pump(self, seconds: float) -> None:
        """Handle events for ``seconds`` (e.g. while a page draws)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.ws.settimeout(remaining)
            try:
                self._event(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                return

    def evaluate(self, expression: str, *, timeout: float = 30.0) -> Any:
        """The value of a JavaScript expression (promises awaited); a thrown error raises :class:`CdpError`."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate(self, url: str, *, timeout: float = 30.0) -> None:
        """Open ``url`` and wait for its load event."""
        self.loaded = False
        answer = self.call("Page.navigate", {"url": url}, timeout=timeout)
        if answer.get("errorText"):
            raise CdpError(f"navigating to {url}: {answer['errorText']}")
        deadline = time.monotonic() + timeout
        while not self.loaded:
            if time.monotonic() > deadline:
                raise CdpError(f"{url} did not finish loading within {timeout} s")
            self.pump(0.05)

    def wait_for(self, expression: str, *, timeout: float = 30.0, poll: float = 0.05) -> Any:
        """Poll until a JavaScript expression is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError(f"{expression!r} still falsy after {timeout} s")
            self.pump(poll)

    def mouse_move(self, x: float, y: float) -> None:
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def reset_records(self) -> None:
        self.exceptions.clear()
        self.console_errors.clear()
        self.dialogs.clear()
        self.requests.clear()


@dataclass
class Browser:
    """A running headless Chromium and its debugging port."""

    process: subprocess.Popen[bytes]
    port: int
    profile: Path

    def open_tab(self, *, init_script: str | None = None) -> Tab:
        """A new blank tab with the events the tests record enabled."""
        target = _http_json(self.port, "/json/new?about:blank", method="PUT")
        ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        tab = Tab(ws)
        for domain in ("Page", "Runtime", "Log", "Network"):
            tab.call(f"{domain}.enable")
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        if init_script:
            tab.call("Page.addScriptToEvaluateOnNewDocument", {"source": init_script})
        return tab


def _http_json(port: int, path: str, *, method: str = "GET") -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        value: dict[str, Any] = json.loads(response.read())
        return value


@contextmanager
def launch(executable: str, *, offline: bool = True, timeout: float = 30.0) -> Iterator[Browser]:
    """Start headless Chromium with a fresh profile; stop it and remove the profile afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="graphsvc-chromium-"))
    args = [
        executable,
        *FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1",
        "--window-size=1400,900",
        "--hide-scrollbars",
        "--mute-audio",
    ]
    if offline:
        args.append(f"--host-resolver-rules={OFFLINE_RULES}")
    args.append("about:blank")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None:
                raise CdpError(f"chromium exited with code {process.returncode} before it listened")
            if time.monotonic() > deadline:
                raise CdpError(f"chromium did not open its debugging port within {timeout} s")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        yield Browser(process, port, profile)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
