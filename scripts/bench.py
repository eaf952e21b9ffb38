"""Load benchmark over the REST channel: this bot against the stock `rasa init` bot.

    make bench                         20 concurrent senders, 2,000 turns
    make bench SENDERS=50 TURNS=5000

In one run, for each bot: train it (timed), start it (timed until it answers), send the
load, and measure latency (p50/p95/p99), throughput, errors, the CPU each process spends
per turn and the peak memory (RSS) of each process. Ours runs in cluster mode by default
(scripts/cluster.sh: Rasa replicas behind nginx, PostgreSQL tracker store, Redis lock
store); afterwards every turn sent is looked up in the tracker store. The stock bot is
`rasa init --no-prompt` trained on the spot and served by `rasa run` as it comes.

The load: each sender holds conversations one after another, each conversation a fresh
sender id asking --questions-per-conversation cases of tests/eval/questions.yml (cases of
several turns keep their follow-ups), until the turns are used up. A turn is an error if it
fails, times out or is not HTTP 200; it is silent if the reply has no text. The first
2 x SENDERS turns warm each bot up and are not counted.

Prints a table, writes results/bench/bench.{json,md,png} and exits 1 if a target is
missed: no errors or silent turns, throughput >= 3x the stock bot's, p95 <= 300 ms.
Numbers only mean something on a quiet machine: it prints the load average it started at.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import aiohttp
import psycopg2
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.free_ports import free_port, free_port_run  # noqa: E402

BIN = ROOT / ".venv" / "bin"
TARGETS = {"min_throughput_ratio": 3.0, "max_p95_ms": 300.0}
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
START_TIMEOUT = 300
TURN_TIMEOUT = 60


def main() -> None:
    # Stopped with SIGTERM (kill, a CI timeout): unwind, so the `finally` blocks stop the
    # servers this run started instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/eval/questions.yml")
    parser.add_argument(
        "--questions-per-conversation",
        type=int,
        default=0,
        help="start a new conversation (sender id) after this many cases; 0: each sender "
        "keeps one conversation for the whole run",
    )
    parser.add_argument(
        "--ours",
        choices=["cluster", "single"],
        default="cluster",
        help="cluster: scripts/cluster.sh; single: scripts/run.sh (`make run`, SQLite)",
    )
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas (cluster)")
    parser.add_argument("--sanic-workers", type=int, default=1, help="per Rasa replica")
    parser.add_argument("--bots", default="stock,ours", help="which bots to measure")
    parser.add_argument("--out", type=Path, default=ROOT / "results/bench")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    cases = [
        [turn["user"] for turn in case["turns"]]
        for case in yaml.safe_load(args.questions.read_text(encoding="utf-8"))["cases"]
    ]
    load = Load(args.senders, args.turns, cases, args.questions_per_conversation, args.seed)
    run_id = uuid.uuid4().hex[:8]
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "load": {
            "senders": args.senders,
            "turns": args.turns,
            "warm_up_turns": load.warm_up_turns,
            "questions": str(args.questions.relative_to(ROOT)),
            "questions_per_conversation": args.questions_per_conversation,
        },
        "ours_setup": {
            "mode": args.ours,
            "replicas": args.replicas if args.ours == "cluster" else 1,
            "sanic_workers": args.sanic_workers,
        },
        "bots": {},
    }
    print(f"load average at start: {os.getloadavg()[0]:.2f} (benchmark on a quiet machine)")
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        bots = args.bots.split(",")
        if "stock" in bots:
            results["bots"]["stock"] = asdict(bench_stock(Path(workdir), load, run_id))
        if "ours" in bots and args.ours == "cluster":
            ours = bench_cluster(Path(workdir), load, run_id, args.replicas, args.sanic_workers)
            results["bots"]["ours"] = asdict(ours)
        elif "ours" in bots:
            ours = bench_single(Path(workdir), load, run_id, args.sanic_workers)
            results["bots"]["ours"] = asdict(ours)

    results["targets"] = check_targets(results["bots"])
    report(results, args.out)
    sys.exit(0 if all(t["met"] for t in results["targets"].values()) else 1)


# ---------------------------------------------------------------------------- the bots


@dataclass
class BotResult:
    description: str
    training_s: float
    startup_s: float
    turns: int
    wall_s: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    silent: int
    error_samples: List[str]
    cpu_ms_per_turn: Dict[str, float]
    peak_rss_mb: Dict[str, float]
    turns_in_tracker_store: Optional[int] = None
    latencies_ms: List[float] = field(default_factory=list, repr=False)


def bench_stock(workdir: Path, load: Load, run_id: str) -> BotResult:
    bot_dir = workdir / "stock"
    bot_dir.mkdir()
    print("stock bot: rasa init --no-prompt (trains the default config) ...", flush=True)
    started = time.monotonic()
    _run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(bot_dir)], workdir)
    training_s = time.monotonic() - started

    port = free_port()
    webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    process = _start(
        [str(BIN / "rasa"), "run", "--model", "models", "--port", str(port)],
        bot_dir,
        workdir / "stock.log",
    )
    try:
        startup_s = wait_until_answering([webhook], process, workdir / "stock.log")
        return measure(
            "stock `rasa init` bot: default config, in-memory tracker store, `rasa run`",
            webhook,
            {"rasa": process.pid},
            load,
            f"bench-{run_id}-stock",
            training_s,
            startup_s,
        )
    finally:
        _stop(process)


def bench_cluster(
    workdir: Path, load: Load, run_id: str, replicas: int, sanic_workers: int
) -> BotResult:
    model, training_s = train_ours(workdir)
    run_dir = workdir / "cluster"
    run_dir.mkdir()
    first_port = free_port_run(replicas)
    cluster_port = free_port()
    database = f"careers_bench_{run_id}"
    env = {
        "MODEL": str(model),
        "CLUSTER_RUN_DIR": str(run_dir),
        "CLUSTER_PORT": str(cluster_port),
        "RASA_REPLICAS": str(replicas),
        "RASA_FIRST_PORT": str(first_port),
        "ACTIONS_PORT": str(free_port()),
        "ACTIONS_GATEWAY_PORT": str(free_port()),
        "POSTGRES_DB": database,
        # cluster.sh refuses to guess passwords; the local servers of a dev machine ask none.
        "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
        "REDIS_PASSWORD": os.environ.get("REDIS_PASSWORD", ""),
        "LOCK_STORE_KEY_PREFIX": f"bench{run_id}",
        # All the senders share 127.0.0.1: nginx's limits per client address (20 requests a
        # second, 40 at a time by default) would refuse most of the ~100 turns a second.
        "PER_ADDRESS_RATE": "100000",
        "PER_ADDRESS_BURST": "100000",
        "PER_ADDRESS_CONNECTIONS": "10000",
        "SANIC_WORKERS": str(sanic_workers),
    }
    webhook = f"http://127.0.0.1:{cluster_port}/webhooks/rest/webhook"
    replica_webhooks = [
        f"http://127.0.0.1:{first_port + i}/webhooks/rest/webhook" for i in range(replicas)
    ]
    log = run_dir / "cluster.log"
    process = _start([str(ROOT / "scripts/cluster.sh")], ROOT, log, env)
    prefix = f"bench-{run_id}-ours"
    try:
        startup_s = wait_until_answering([webhook, *replica_webhooks], process, log)
        groups = {path.stem: int(path.read_text()) for path in run_dir.glob("*.pid")}
        result = measure(
            f"ours, cluster mode: {replicas} Rasa replica(s) x {sanic_workers} Sanic "
            "worker(s) behind nginx, PostgreSQL tracker store, Redis lock store",
            webhook,
            groups,
            load,
            prefix,
            training_s,
            startup_s,
        )
        result.turns_in_tracker_store = _user_turns_in_postgres(database, prefix)
        return result
    finally:
        _stop(process)
        _drop_database(database)


def bench_single(workdir: Path, load: Load, run_id: str, sanic_workers: int) -> BotResult:
    model, training_s = train_ours(workdir)
    rasa_port, actions_port = free_port(), free_port()
    database = workdir / "conversations.db"
    env = {
        "MODEL": str(model),
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "WEB_PORT": str(free_port()),
        "TRACKER_STORE_URL": f"sqlite:///{database}",
        "SANIC_WORKERS": str(sanic_workers),
    }
    webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    log = workdir / "single.log"
    process = _start([str(ROOT / "scripts/run.sh")], ROOT, log, env)
    prefix = f"bench-{run_id}-ours"
    try:
        startup_s = wait_until_answering([webhook], process, log)
        result = measure(
            "ours, `make run`: one Rasa process, SQLite tracker store",
            webhook,
            {"run.sh": process.pid},
            load,
            prefix,
            training_s,
            startup_s,
        )
        result.turns_in_tracker_store = _user_turns_in_sqlite(database, prefix)
        return result
    finally:
        _stop(process)


def train_ours(workdir: Path) -> tuple[Path, float]:
    """Train as `make train` does, into workdir: the time it takes, and the model to serve."""
    print("ours: rasa train ...", flush=True)
    started = time.monotonic()
    _run(
        [
            str(BIN / "rasa"), "train", "--data", "data", "build/nlu", "--config", "config.yml",
            "--domain", "domain.yml", "--out", str(workdir / "models"),
            "--fixed-model-name", "careers",
        ],
        ROOT,
    )  # fmt: skip
    return workdir / "models" / "careers.tar.gz", time.monotonic() - started


# ------------------------------------------------------------------------------ the load


class Load:
    """The conversations the senders hold, the same for every bot."""

    def __init__(
        self, senders: int, turns: int, cases: List[List[str]], per_conversation: int, seed: int
    ) -> None:
        self.senders, self.turns = senders, turns
        self.warm_up_turns = 2 * senders
        self.per_conversation = per_conversation
        self.cases = list(cases)
        random.Random(seed).shuffle(self.cases)

    def conversations(self) -> Iterator[List[str]]:
        cases = itertools.cycle(self.cases)
        if not self.per_conversation:
            while True:  # one endless conversation per sender
                yield (turn for case in cases for turn in case)
        while True:
            yield [turn for _ in range(self.per_conversation) for turn in next(cases)]


@dataclass
class LoadResult:
    latencies_ms: List[float]
    wall_s: float
    errors: int = 0
    silent: int = 0
    error_samples: List[str] = field(default_factory=list)


async def send_load(webhook: str, load: Load, turns: int, sender_prefix: str) -> LoadResult:
    conversations = load.conversations()
    remaining = turns
    result = LoadResult([], 0.0)
    timeout = aiohttp.ClientTimeout(total=TURN_TIMEOUT)

    async def sender(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        for number in itertools.count():
            sender_id = f"{sender_prefix}-{index}-{number}"
            for message in next(conversations):
                if remaining <= 0:
                    return
                remaining -= 1
                started = time.perf_counter()
                problem = await _ask(session, webhook, sender_id, message)
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                if problem == "silent":
                    result.silent += 1
                elif problem:
                    result.errors += 1
                if problem and len(result.error_samples) < 5:
                    result.error_samples.append(f"{message!r}: {problem}")

    connector = aiohttp.TCPConnector(limit=load.senders)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(sender(i, session) for i in range(load.senders)))
        result.wall_s = time.perf_counter() - started
    return result


async def _ask(session, webhook: str, sender_id: str, message: str) -> Optional[str]:
    try:
        async with session.post(webhook, json={"sender": sender_id, "message": message}) as r:
            body = await r.text()
            if r.status != 200:
                return f"HTTP {r.status} {body[:200]}"
            if not any(reply.get("text") for reply in json.loads(body)):
                return "silent"
            return None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def measure(
    description: str,
    webhook: str,
    groups: Dict[str, int],
    load: Load,
    sender_prefix: str,
    training_s: float,
    startup_s: float,
) -> BotResult:
    print(f"{description}: warm-up, then {load.turns} turns ...", flush=True)
    asyncio.run(send_load(webhook, load, load.warm_up_turns, f"{sender_prefix}warmup"))
    processes = Processes(groups)
    cpu_before = processes.cpu_seconds()
    sampler = threading.Thread(target=processes.sample_rss_until_stopped, daemon=True)
    sampler.start()
    measured = asyncio.run(send_load(webhook, load, load.turns, sender_prefix))
    processes.stop.set()
    sampler.join()
    cpu_after = processes.cpu_seconds()

    latencies = sorted(measured.latencies_ms)
    return BotResult(
        description=description,
        training_s=round(training_s, 1),
        startup_s=round(startup_s, 1),
        turns=len(latencies),
        wall_s=round(measured.wall_s, 2),
        throughput=round(len(latencies) / measured.wall_s, 1),
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        errors=measured.errors,
        silent=measured.silent,
        error_samples=measured.error_samples,
        cpu_ms_per_turn={
            name: round((cpu_after.get(name, 0) - seconds) * 1000 / len(latencies), 2)
            for name, seconds in cpu_before.items()
        },
        peak_rss_mb={name: round(kb / 1024, 1) for name, kb in processes.peak_rss_kb.items()},
        latencies_ms=[round(ms, 2) for ms in measured.latencies_ms],
    )


def percentile(ordered: List[float], percent: float) -> float:
    """Nearest rank: the smallest value with `percent`% of the values at or below it."""
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


# ------------------------------------------------------------------------- processes


class Processes:
    """The processes of a bot, by component: every process in each component's group."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, groups: Dict[str, int]) -> None:
        self.groups = groups
        self.peak_rss_kb: Dict[str, int] = {}
        self.stop = threading.Event()

    def named(self) -> Dict[str, int]:
        """'rasa-1: rasa' -> pid, for each process worth naming (not shell wrappers)."""
        by_group: Dict[int, List[tuple[int, str]]] = {}
        for pid, command, group in _processes():
            by_group.setdefault(group, []).append((pid, command))
        named = {}
        for component, group in self.groups.items():
            members = [(pid, cmd) for pid, cmd in by_group.get(group, []) if cmd != "bash"]
            for number, (pid, command) in enumerate(sorted(members)):
                label = f"{component}: {_program(pid, command)}"
                named[label if label not in named else f"{label} #{number + 1}"] = pid
        return named

    def cpu_seconds(self) -> Dict[str, float]:
        seconds = {}
        for name, pid in self.named().items():
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                seconds[name] = cpu
        # The machine's shared services, whichever bot's (the stock bot uses neither), and
        # this script sending the load: they share the same 2 CPUs.
        for name, command in SHARED_SERVICES.items():
            pids = [pid for pid, cmd, _ in _processes() if cmd == command]
            seconds[name] = sum(_cpu_seconds(pid) or 0 for pid in pids)
        seconds["load generator (bench.py)"] = _cpu_seconds(os.getpid()) or 0
        return seconds

    def sample_rss_until_stopped(self) -> None:
        while not self.stop.wait(0.5):
            for name, pid in self.named().items():
                rss = _rss_kb(pid)
                self.peak_rss_kb[name] = max(self.peak_rss_kb.get(name, 0), rss)


SHARED_SERVICES = {"PostgreSQL (all its processes)": "postgres", "Redis": "redis-server"}


def _processes() -> List[tuple[int, str, int]]:
    """(pid, command name, process group id) of every process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
            command, fields = rest.rsplit(") ", 1)
        except (OSError, ValueError):
            continue
        found.append((int(pid), command, int(fields.split()[2])))
    return found


def _cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / Processes.TICKS


def _program(pid: int, command: str) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return command
    words = [Path(a.decode()).name for a in argv if a]
    if "rasa_sdk" in words:
        return "action server"
    if "rasa" in words or "rasa_cli.py" in words:  # scripts/rasa_cli.py: Rasa's own CLI
        return "rasa"
    return command


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _start(command: List[str], cwd: Path, log: Path, env: Optional[Dict] = None):
    output = open(log, "ab")
    return subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _run(command: List[str], cwd: Path) -> None:
    # An empty training cache of its own: training times are from scratch, like CI's.
    cache = tempfile.mkdtemp(prefix="rasa-cache-")
    completed = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": cache},
        capture_output=True,
        text=True,
    )
    shutil.rmtree(cache, ignore_errors=True)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stdout[-3000:]}{completed.stderr}")


def wait_until_answering(webhooks: List[str], process: subprocess.Popen, log: Path) -> float:
    """Seconds from start until every webhook answers a greeting."""
    started = time.monotonic()
    waiting = list(webhooks)
    while waiting:
        if process.poll() is not None or time.monotonic() - started > START_TIMEOUT:
            sys.exit(f"the bot did not start; {log}:\n{log.read_text()[-3000:]}")
        try:
            reply = requests.post(waiting[0], json={"sender": "probe", "message": "hi"}, timeout=10)
            if reply.ok and reply.json():
                waiting.pop(0)
                continue
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    return time.monotonic() - started


# Our REST channel stores a sender's conversation as "rest:<sender>" (channels/conversations.py).
REST_CONVERSATIONS = "rest:"


def _user_turns_in_postgres(database: str, sender_prefix: str) -> int:
    with psycopg2.connect(dbname=database, **POSTGRES) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s",
                (f"{REST_CONVERSATIONS}{sender_prefix}-%",),
            )
            return cursor.fetchone()[0]


def _user_turns_in_sqlite(database: Path, sender_prefix: str) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE ?",
            (f"{REST_CONVERSATIONS}{sender_prefix}-%",),
        ).fetchone()[0]


def _drop_database(database: str) -> None:
    connection = psycopg2.connect(dbname="postgres", **POSTGRES)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    connection.close()


# ---------------------------------------------------------------------------- report


def check_targets(bots: Dict[str, Dict]) -> Dict[str, Dict]:
    if "ours" not in bots:
        return {}
    ours = bots["ours"]
    targets = {
        "no errors or silent turns": {
            "value": ours["errors"] + ours["silent"],
            "met": ours["errors"] + ours["silent"] == 0,
        },
        f"p95 <= {TARGETS['max_p95_ms']:.0f} ms": {
            "value": ours["p95_ms"],
            "met": ours["p95_ms"] <= TARGETS["max_p95_ms"],
        },
    }
    if ours["turns_in_tracker_store"] is not None:
        targets["every turn in the tracker store"] = {
            "value": ours["turns_in_tracker_store"],
            "met": ours["turns_in_tracker_store"] == ours["turns"],
        }
    if "stock" in bots:
        ratio = ours["throughput"] / bots["stock"]["throughput"]
        targets[f"throughput >= {TARGETS['min_throughput_ratio']:.0f}x stock"] = {
            "value": round(ratio, 2),
            "met": ratio >= TARGETS["min_throughput_ratio"],
        }
    return targets


def report(results: Dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    table = markdown(results)
    print("\n" + table)
    (out / "bench.md").write_text(table + "\n", encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plot(results, out / "bench.png")
    print(f"\nwritten: {out / 'bench.md'}, {out / 'bench.json'}, {out / 'bench.png'}")


def markdown(results: Dict) -> str:
    bots = results["bots"]
    load = results["load"]
    lines = [
        f"Benchmark {results['date']}: `{results['command']}`",
        f"{load['senders']} concurrent senders, {load['turns']} turns "
        f"(+{load['warm_up_turns']} warm-up) of {load['questions']}; "
        f"{results['machine']['cpus']} CPUs, load average at start "
        f"{results['machine']['load_average_at_start'][0]:.2f}",
        "",
        "| bot | turns/s | p50 ms | p95 ms | p99 ms | errors | silent | training s | start-up s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, bot in bots.items():
        lines.append(
            f"| {name} | {bot['throughput']} | {bot['p50_ms']} | {bot['p95_ms']} | "
            f"{bot['p99_ms']} | {bot['errors']} | {bot['silent']} | {bot['training_s']} | "
            f"{bot['startup_s']} |"
        )
    if "stock" in bots and "ours" in bots:
        ratio = bots["ours"]["throughput"] / bots["stock"]["throughput"]
        lines += ["", f"Throughput ours/stock: {ratio:.2f}x"]
    for name, bot in bots.items():
        lines += [
            "",
            f"{name}: {bot['description']}",
            "",
            "| process | CPU ms/turn | peak RSS MB |",
        ]
        lines.append("| --- | ---: | ---: |")
        for process, cpu in bot["cpu_ms_per_turn"].items():
            lines.append(f"| {process} | {cpu} | {bot['peak_rss_mb'].get(process, '')} |")
        if bot["turns_in_tracker_store"] is not None:
            lines.append(
                f"\nTracker store: {bot['turns_in_tracker_store']} of {bot['turns']} turns stored."
            )
        if bot["error_samples"]:
            lines += ["", "First problems:", *[f"- {s}" for s in bot["error_samples"]]]
    lines += ["", "Targets:"]
    for target, outcome in results["targets"].items():
        lines.append(f"- {target}: {outcome['value']} {'met' if outcome['met'] else 'MISSED'}")
    return "\n".join(lines)


def plot(results: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bots = results["bots"]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(9, 3.4))
    for name, bot in bots.items():
        ordered = sorted(bot["latencies_ms"])
        shares = [100 * (i + 1) / len(ordered) for i in range(len(ordered))]
        latency.plot(ordered, shares, label=name)
    latency.axvline(TARGETS["max_p95_ms"], color="grey", linestyle=":", label="300 ms")
    latency.axhline(95, color="grey", linestyle="--", linewidth=0.5)
    latency.set_xscale("log")
    latency.set_xlabel("latency per turn (ms, log scale)")
    latency.set_ylabel("% of turns at or below")
    latency.legend()
    names = list(bots)
    throughput.bar(names, [bots[n]["throughput"] for n in names], color=["C0", "C1"][: len(names)])
    throughput.set_ylabel("turns per second")
    load = results["load"]
    figure.suptitle(f"{load['senders']} concurrent senders, {load['turns']} turns")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
