"""A Prefect API server of the run's own, started before Prefect is imported.

Left alone, Prefect starts its ephemeral server only when the flow begins: the client first imports the
whole server (about 4 s here) and then waits for a subprocess that imports it again (about 5 s). Started
first, ``prefect server start --no-services`` boots while this process imports Prefect and plans the batch.
When ``PREFECT_API_URL`` is already set, that server is used and nothing is started. If the local server
does not come up, the flow falls back to Prefect's own ephemeral server.

This module does not import Prefect.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from flows.environment import configure_prefect

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


@dataclass
class LocalApi:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_ready(self, timeout_s: float = STARTUP_TIMEOUT_S) -> bool:
        """True once the server answers its health check; False if it exited or timed out."""
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        return True
                time.sleep(0.1)
        return False

    def abandon(self) -> str:
        """Stop the server and forget its address, so Prefect starts its own ephemeral one; return the
        end of the server's output, which says why it did not come up."""
        _stop(self.process)
        os.environ.pop("PREFECT_API_URL", None)
        return self.log.read_text(encoding="utf-8", errors="replace")[-2000:].strip()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _parent_death_signal() -> Callable[[], None] | None:
    """Linux: ask the kernel to SIGTERM the server when this process dies, even by SIGKILL."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the forked child only calls it
    except (OSError, AttributeError):
        return None

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return arm


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "prefect", "server", "start",
        "--host", "127.0.0.1", "--port", str(port),
        "--no-services", "--no-ui", "--analytics-off", "--log-level", "ERROR",
    ]  # fmt: skip


@contextlib.contextmanager
def local_prefect_api(command: list[str] | None = None) -> Iterator[LocalApi | None]:
    """Start a local API and point ``PREFECT_API_URL`` at it for the duration; stop it afterwards."""
    configure_prefect()
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="planscan-prefect-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command or server_command(port),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                preexec_fn=_parent_death_signal(),
            )
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        try:
            yield LocalApi(os.environ["PREFECT_API_URL"], process, log)
        finally:
            os.environ.pop("PREFECT_API_URL", None)
            _stop(process)
