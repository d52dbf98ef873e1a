"""An OpenID Connect provider on loopback for the tests: tests/oidc_provider/server.mjs (on the npm
package oauth2-mock-server), run with the venv's Node.

Its packages come from tests/oidc_provider/package-lock.json: `npm ci` runs there when they are
missing (a clean checkout); `make setup` runs it too:
    cd tests/oidc_provider && npm ci --no-audit --no-fund
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_DIR = ROOT / "tests" / "oidc_provider"
CLIENT_ID = "studioos-test"
CLIENT_SECRET = "test-secret with spaces & symbols"  # exercises client_secret_basic's form-encoding


def _tool(name: str) -> str:
    local = ROOT / ".venv" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: run `make setup` (the venv brings Node) and try again")
    return found


def install_packages() -> None:
    """`npm ci` in tests/oidc_provider unless its packages are there; one test process at a time
    (pytest-xdist runs two)."""
    marker = PROVIDER_DIR / "node_modules" / "oauth2-mock-server" / "package.json"
    if marker.exists():
        return
    digest = hashlib.sha256(str(PROVIDER_DIR).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"studioos-oidc-npm-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return
        env = {**os.environ, "PATH": f"{Path(_tool('node')).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        done = subprocess.run(
            [_tool("npm"), "ci", "--no-audit", "--no-fund"],
            cwd=PROVIDER_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"npm ci in {PROVIDER_DIR} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )


@dataclass
class Provider:
    issuer: str  # http://127.0.0.1:PORT
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def scenario(self, **what: Any) -> None:
        """Who signs in at the next trip, and what goes wrong (see server.mjs)."""
        request = urllib.request.Request(
            f"{self.issuer}/_test/scenario",
            data=json.dumps(what).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200


def _answers(issuer: str) -> bool:
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serving_oidc_provider(redirect_uri: str, timeout: float = 30.0) -> Iterator[Provider]:
    """The provider on a free loopback port, answering before this yields; stopped on exit. Raises
    (the test fails, never skips) when it cannot start."""
    install_packages()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        # The venv's `node` is a Python launcher that starts the real node: both go in a process
        # group of their own, stopped together. The server also stops when its stdin closes, so a
        # test run that dies leaves no provider behind.
        proc = subprocess.Popen(
            [_tool("node"), "server.mjs", str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri],
            cwd=PROVIDER_DIR,
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(issuer):
                if proc.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    said = output.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"the test OpenID provider did not start on {issuer}: {said}")
                time.sleep(0.05)
            yield Provider(issuer)
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if proc.stdin is not None:
        proc.stdin.close()
