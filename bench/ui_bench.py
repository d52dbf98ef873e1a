"""How fast StudioOS answers its page events under 1-50 simultaneous tabs, side by side with a
minimal Reflex app (bench/minimal_app: one counter) on the same venv and machine, in one run.

    .venv/bin/python bench/ui_bench.py                      # SQLite, one worker (what `make run` is)
    .venv/bin/python bench/ui_bench.py --postgres --redis --workers 2   # the production mode
    .venv/bin/python bench/ui_bench.py --quick              # 1 and 10 clients, fewer events

It starts both apps itself (a fresh database with the demo data for StudioOS), signs in as the
demo owner by minting a session in that database, then for each number of clients and each target,
alternating the targets (A, B, A, B, ...) so machine noise hits all of them alike:

- each simulated tab connects the page's websocket (socket.io at /_event) with the session cookie,
  sends the boot event the browser sends (hydrate and run the page's load events) and waits until
  the page is hydrated;
- then, in a closed loop, sends the target's event and waits for the answer that carries the
  handler's state; the round trip is what is measured.

It prints p50 / p95 / p99 (ms), errors, events per second and the p50 ratio to the counter, and
with --pages the time until each main page is usable in Chromium (visible, hydrated, its load
events answered) against the minimal page. Nothing here is asserted: the figures are for people
(docs/performance.md says how to read them). A target a later page adds is one line in TARGETS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ROOT_STATE = "reflex___state____state"
BOOT_EVENT = f"{ROOT_STATE}.hydrate_and_load"
NAMESPACE = "/_event"
DEMO_OWNER = "owner@demo.studioos.app"
START_TIMEOUT = 600.0


@dataclass(frozen=True)
class Target:
    """One thing to measure: the page a tab opens and the events it then sends in turn."""

    label: str
    app: str  # "studioos" | "minimal"
    path: str
    events: tuple[str, ...]  # "module:StateClass.handler", resolved against the running code
    selector: str = ""  # for --pages: the element that means the page is drawn

    def event_names(self) -> list[str]:
        return [_event_name(spec) for spec in self.events]


# Each later page adds its main event here.
TARGETS = (
    Target("counter", "minimal", "/", ("minimal:CounterState.increment",), "#increment"),
    Target(
        "dashboard",
        "studioos",
        "/dashboard",
        ("studioos.pages.dashboard:DashboardState.load",),
        "#user-menu",
    ),
    Target(
        "week-nav",
        "studioos",
        "/schedule",
        (
            "studioos.pages.schedule:ScheduleState.next_week",
            "studioos.pages.schedule:ScheduleState.prev_week",
        ),
        "#week-calendar",
    ),
    # The money pages: a change of pay period (the period's totals and the first page of records),
    # and the payroll of a period (every model's pay worked out, or read frozen).
    Target(
        "earnings",
        "studioos",
        "/earnings",
        ("studioos.pages.earnings:EarningsState.load",),
        "",
    ),
    Target(
        "payroll",
        "studioos",
        "/payroll",
        ("studioos.pages.payroll:PayrollState.load",),
        "",
    ),
    # Analytics: the load reads the filters and answers at once; the figures follow from a
    # background event (bench/analytics_bench.py measures that computation at scale).
    Target(
        "analytics",
        "studioos",
        "/analytics",
        ("studioos.pages.analytics:AnalyticsState.load",),
        "",
    ),
)


def _event_name(spec: str) -> str:
    """`module:State.handler` -> the full event name the browser sends."""
    module, _, rest = spec.partition(":")
    state_name, _, handler = rest.rpartition(".")
    if module == "minimal":
        return f"{ROOT_STATE}.minimal___minimal____{_snake(state_name)}.{handler}"
    import importlib

    state = getattr(importlib.import_module(module), state_name)
    return f"{state.get_full_name()}.{handler}"


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


# ---------------------------------------------------------------- the two apps


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    cookie: str = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)


def _base_env(work: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDIOOS_", "REFLEX_", "GRANIAN_")) and k != "REDIS_URL"
    }
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}", REFLEX_USE_NPM="1")
    env["REFLEX_STATES_WORKDIR"] = str(work / "states")
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()  # a database of its own, emptied first
        env["REDIS_URL"] = args.redis_url
    if args.workers:
        env["GRANIAN_WORKERS"] = str(args.workers)
    return env


def _studioos_env(work: Path, port: int, args: argparse.Namespace) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = _base_env(work, args)
    database_url = f"sqlite:///{work / 'bench.db'}"
    if args.postgres:
        name = f"studioos_bench_{secrets.token_hex(4)}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
            check=True,
            capture_output=True,
        )
        database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    env.update(
        STUDIOOS_DATABASE_URL=database_url,
        STUDIOOS_DATA_DIR=str(work / "data"),
        STUDIOOS_OUTBOX_DIR=str(work / "outbox"),
        STUDIOOS_BASE_URL=f"http://127.0.0.1:{port}",
        STUDIOOS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STUDIOOS_SECRET_KEY=secrets.token_urlsafe(48),
    )
    return env


def _start(name: str, cwd: Path, env: dict[str, str], port: int, work: Path) -> Server:
    log = work / f"{name}.log"
    proc = subprocess.Popen(
        [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--single-port", "--backend-port", str(port)],
        cwd=cwd,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Server(name, f"http://127.0.0.1:{port}", proc, log)


def _wait_ready(server: Server, path: str) -> None:
    import httpx

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = "\n".join(server.log.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"{server.name} exited:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.get(server.base_url + path, timeout=5, follow_redirects=True)
            if answer.status_code == 200 and "<html" in answer.text.lower():
                return
        time.sleep(1)
    raise TimeoutError(f"{server.name} did not answer within {START_TIMEOUT:.0f}s")


def _mint_session(env: dict[str, str]) -> str:
    """A session of the demo owner, made in the app's own database by its own code (what the
    sign-in page would have set as the HttpOnly cookie)."""
    code = (
        "from sqlmodel import select\n"
        "from studioos.db import session_scope\n"
        "from studioos.models import User\n"
        "from studioos.services import auth\n"
        "with session_scope() as db:\n"
        f"    user = db.exec(select(User).where(User.email == {DEMO_OWNER!r})).one()\n"
        "    raw = auth.start_session(db, user, None, auth.Client(ip='127.0.0.1', user_agent='ui_bench'))\n"
        "print(raw)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return f"studioos_session={out.stdout.strip().splitlines()[-1]}"


@contextlib.contextmanager
def running_apps(args: argparse.Namespace) -> Iterator[dict[str, Server]]:
    work = Path(tempfile.mkdtemp(prefix="ui_bench_"))
    servers: dict[str, Server] = {}
    try:
        port = free_port()
        env = _studioos_env(work, port, args)
        for command in (["migrate"], ["seed-demo"]):
            subprocess.run(
                [str(VENV_BIN / "studioos"), *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        servers["studioos"] = _start("studioos", ROOT, env, port, work)
        minimal_dir = work / "minimal_app"
        shutil.copytree(
            ROOT / "bench" / "minimal_app", minimal_dir, ignore=shutil.ignore_patterns(".web", ".states")
        )
        servers["minimal"] = _start("minimal", minimal_dir, _base_env(work, args), free_port(), work)
        print(
            f"# starting StudioOS and the minimal app (first build: a few minutes); logs in {work}",
            flush=True,
        )
        _wait_ready(servers["studioos"], "/signin")
        _wait_ready(servers["minimal"], "/")
        servers["studioos"].cookie = _mint_session(env)
        yield servers
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- one simulated tab


def _is_hydrated(delta: dict[str, Any]) -> bool:
    return any(
        isinstance(values, dict) and any(k.startswith("is_hydrated") and v is True for k, v in values.items())
        for values in delta.values()
    )


class Tab:
    """A browser tab as the server sees it: one websocket, one client token, the page's cookie."""

    def __init__(self, server: Server, path: str, timeout: float) -> None:
        import socketio

        self.server, self.path, self.timeout = server, path, timeout
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False, request_timeout=timeout)
        self.hydrated = asyncio.Event()
        self.waiting: asyncio.Future[tuple[str, int]] | None = None
        self.expect = ""
        self.sio.on("event", self._on_event, namespace=NAMESPACE)

    def _router_data(self) -> dict[str, str]:
        return {"pathname": self.path, "asPath": self.path}

    async def _on_event(self, data: Any) -> None:
        if isinstance(data, str):
            data = json.loads(data)
        delta = data.get("delta") or {}
        if delta and not self.hydrated.is_set() and _is_hydrated(delta):
            self.hydrated.set()
        fut = self.waiting
        if fut is None or fut.done():
            return
        # The handler's own state, or one of its substates, changed: that is the answer.
        if any(key == self.expect or key.startswith(self.expect + ".") for key in delta):
            fut.set_result(("ok", len(json.dumps(data))))
        elif data.get("events"):
            names = ",".join(sorted({str(e.get("name", "?")) for e in data["events"]}))
            fut.set_result((f"answered {names} without its state", 0))

    async def open(self) -> None:
        headers = {"Origin": self.server.base_url}
        if self.server.cookie:
            headers["Cookie"] = self.server.cookie
        boot = {"name": BOOT_EVENT, "payload": {}, "router_data": self._router_data()}
        await self.sio.connect(
            f"{self.server.base_url}?token={self.token}",
            headers=headers,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path="/_event",
            auth={"event": boot},
            wait_timeout=self.timeout,
        )
        await asyncio.wait_for(self.hydrated.wait(), self.timeout)

    async def send(self, event: str) -> tuple[str, float, int]:
        self.waiting = asyncio.get_running_loop().create_future()
        self.expect = event.rpartition(".")[0]
        message = {"name": event, "payload": {}, "router_data": self._router_data()}
        t0 = time.perf_counter()
        await self.sio.emit("event", message, namespace=NAMESPACE)
        try:
            outcome, size = await asyncio.wait_for(self.waiting, self.timeout)
        except TimeoutError:
            outcome, size = "timeout", 0
        self.waiting = None
        return outcome, (time.perf_counter() - t0) * 1000.0, size

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


@dataclass
class Job:
    label: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    answer_bytes: int = 0

    def pct(self, q: float) -> float:
        values = sorted(self.latencies)
        if not values:
            return float("nan")
        pos = (len(values) - 1) * q / 100.0
        lo = int(pos)
        hi = min(lo + 1, len(values) - 1)
        return values[lo] + (values[hi] - values[lo]) * (pos - lo)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


async def run_job(
    target: Target, server: Server, clients: int, events: int, warmup: int, timeout: float
) -> Job:
    job = Job(target.label, clients)
    names = target.event_names()
    tabs = [Tab(server, target.path, timeout) for _ in range(clients)]
    gate = asyncio.Semaphore(10)

    async def open_tab(tab: Tab) -> bool:
        async with gate:
            try:
                await tab.open()
                return True
            except Exception as exc:  # a failed connect is counted, not fatal
                key = f"connect: {type(exc).__name__}"
                job.errors[key] = job.errors.get(key, 0) + 1
                return False

    opened = await asyncio.gather(*(open_tab(t) for t in tabs))
    live = [t for t, ok in zip(tabs, opened, strict=True) if ok]
    start, warm = asyncio.Event(), asyncio.Event()
    ready = [0]
    sizes: list[int] = []

    async def drive(tab: Tab) -> None:
        cycle = itertools.cycle(names)
        for _ in range(warmup):
            await tab.send(next(cycle))
        ready[0] += 1
        if ready[0] == len(live):
            warm.set()
        await start.wait()
        for _ in range(events):
            outcome, ms, size = await tab.send(next(cycle))
            if outcome == "ok":
                job.latencies.append(ms)
                sizes.append(size)
            else:
                job.errors[outcome] = job.errors.get(outcome, 0) + 1

    tasks = [asyncio.create_task(drive(t)) for t in live]
    if live:
        await warm.wait()
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    job.wall = time.perf_counter() - t0
    job.answer_bytes = int(statistics.median(sizes)) if sizes else 0
    await asyncio.gather(*(t.close() for t in tabs))
    return job


async def events_bench(servers: dict[str, Server], args: argparse.Namespace) -> None:
    levels = [1, 10] if args.quick else [int(x) for x in args.clients.split(",")]
    per_level = {1: 200, 10: 60, 50: 20} if not args.quick else {1: 50, 10: 20}
    if args.events:
        per_level = dict.fromkeys(levels, args.events)
    targets = [t for t in TARGETS if not args.only or t.label in args.only.split(",") or t.app == "minimal"]
    jobs: list[Job] = []
    for rnd in range(1, args.rounds + 1):
        for n in levels:
            for target in targets:
                job = await run_job(target, servers[target.app], n, per_level.get(n, 20), 3, args.timeout)
                jobs.append(job)
                print(
                    f"round {rnd} {target.label:<10} {n:>3} clients: p50 {job.pct(50):7.1f} ms  "
                    f"p95 {job.pct(95):7.1f}  errors {sum(job.errors.values())}  {job.per_second:7.1f} ev/s"
                    + (f"  {job.errors}" if job.errors else ""),
                    flush=True,
                )
    print(f"\n# medians over {args.rounds} round(s), ms; errors summed")
    columns = ("p50", "p95", "p99", "errors", "ev/s", "answer B", "x counter")
    print(f"{'target':<11}{'clients':>8}" + "".join(f"{c:>10}" for c in columns))
    for target in targets:
        for n in levels:
            mine = [j for j in jobs if j.label == target.label and j.clients == n]
            base = [j for j in jobs if j.label == "counter" and j.clients == n]
            p50 = statistics.median(j.pct(50) for j in mine)
            ratio = p50 / statistics.median(j.pct(50) for j in base) if base else float("nan")
            p95 = statistics.median(j.pct(95) for j in mine)
            p99 = statistics.median(j.pct(99) for j in mine)
            errors = sum(sum(j.errors.values()) for j in mine)
            rate = statistics.median(j.per_second for j in mine)
            size = int(statistics.median(j.answer_bytes for j in mine))
            print(
                f"{target.label:<11}{n:>8}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}{errors:>10}{rate:>10.1f}"
                f"{size:>10}{ratio:>10.2f}"
            )


# ---------------------------------------------------------------- pages in Chromium


def pages_bench(servers: dict[str, Server], args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    targets = [t for t in TARGETS if t.selector]
    times: dict[str, list[float]] = {t.label: [] for t in targets}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            for rnd in range(args.page_rounds + 1):  # round 0 warms the server's caches
                for target in targets:
                    server = servers[target.app]
                    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
                    if server.cookie:
                        name, _, value = server.cookie.partition("=")
                        ctx.add_cookies([{"name": name, "value": value, "url": server.base_url}])
                    page = ctx.new_page()
                    hydrated: list[float] = []

                    def on_ws(ws: Any, hydrated: list[float] = hydrated) -> None:
                        def frame(payload: Any) -> None:
                            text = payload if isinstance(payload, str) else payload.decode(errors="replace")
                            if not hydrated and "is_hydrated" in text and "true" in text:
                                with contextlib.suppress(ValueError):
                                    body = json.loads(text[text.index("[") :])
                                    if _is_hydrated((body[1] or {}).get("delta") or {}):
                                        hydrated.append(time.perf_counter())

                        ws.on("framereceived", frame)

                    page.on("websocket", on_ws)
                    t0 = time.perf_counter()
                    page.goto(server.base_url + target.path, wait_until="commit")
                    page.locator(target.selector).first.wait_for(state="visible", timeout=60_000)
                    page.wait_for_function(
                        "(sel) => { const el = document.querySelector(sel);"
                        " return !!el && Object.keys(el).some((k) => k.startsWith('__reactProps')); }",
                        arg=target.selector,
                        polling=10,
                        timeout=60_000,
                    )
                    deadline = time.perf_counter() + 60
                    while not hydrated and time.perf_counter() < deadline:
                        page.wait_for_timeout(5)
                    usable = (max(time.perf_counter(), hydrated[0] if hydrated else 0) - t0) * 1000
                    if rnd:
                        times[target.label].append(usable)
                    ctx.close()
        finally:
            browser.close()
    print(f"\n# page time to usable in Chromium, median of {args.page_rounds} (ms)")
    base = statistics.median(times["counter"])
    for target in targets:
        value = statistics.median(times[target.label])
        print(f"{target.label:<11}{value:>9.0f}   x{value / base:.2f} the minimal page")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="1,10,50")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 and 10 clients, fewer events, one round")
    ap.add_argument("--only", default="", help="comma-separated target labels (the counter always runs)")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--events", type=int, default=0, help="events per tab at every level (for profiling)")
    ap.add_argument("--pages", action="store_true", help="also page time to usable in Chromium")
    ap.add_argument("--page-rounds", type=int, default=7)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--postgres", action="store_true", help="StudioOS on a fresh PostgreSQL database")
    ap.add_argument("--redis", action="store_true", help="Reflex's Redis state manager (needed for workers)")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    ap.add_argument("--workers", type=int, default=0, help="backend worker processes (with --redis)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    args = ap.parse_args()
    if args.quick:
        args.rounds = 1
    if args.workers > 1 and not args.redis:
        ap.error("several workers share tabs' states through Redis: add --redis")
    os.chdir(ROOT)  # the event names are read from the code, which reads rxconfig.py from here
    sys.path.insert(0, str(ROOT))
    with running_apps(args) as servers:
        asyncio.run(events_bench(servers, args))
        if args.pages:
            pages_bench(servers, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
