"""`make bench`: seed a state-sized PostgreSQL database, serve it with gunicorn, drive it with wrk.

    python -m bench.pages [--scale 1.0] [--duration 15] [--reuse-db] [--profile PAGE]

Steps: (1) drop and create the tot_bench database (never tot_portal or a test database),
migrate and seed it; (2) sign the bench people in (coordinator, participant, member) through
Django's session store, so that wrk can send their session cookie; (3) count each page's
queries once with django.test.Client; (4) try a few gunicorn worker set-ups on this machine and
keep the fastest; (5) drive every page and the two ceilings for ``--duration`` seconds at 16
connections after a short warm-up; (6) drive every page again in the mixed run, while another
person signs in every 5 s and another member replies in another thread every second
(bench/mixer.py); print one table. Every page is built for every request: nothing in the portal
keeps a whole page between requests, so no figure here comes from a replayed cache hit. It exits
non-zero only when it crashes, never because a page misses a target.

The bench reaches the apps' models lazily, inside bench.seed's functions, once Django is set up.
"""

import argparse
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.databases import database_url, free_port, recreate_database
from bench.signing import throwaway_signing_key

HERE = Path(__file__).resolve().parent
BASE_DIR = HERE.parent
VENV_BIN = Path(sys.executable).parent

BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "tot_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
SEEDED_FILE = Path(tempfile.gettempdir()) / f"{BENCH_DB}-seeded.json"

# The targets of issue 13 ("Checked by"): per page as built, at 16 concurrent users on a 2-core
# machine; and the mixed run within 20 % of the same page driven alone.
MAX_QUERIES = 15
MIN_SHARE_OF_CEILING = 30.0  # % of the one-query ceiling's requests per second
MAX_P95_MS = 150.0
MIN_MIXED_SHARE = 80.0  # % of the page's own req/s driven alone

# (gunicorn worker class, workers, threads): tried in turn, the fastest is kept.
WORKER_SETUPS = [("sync", 3, 1), ("sync", 5, 1), ("gthread", 2, 4), ("gthread", 3, 2)]


@dataclass
class Page:
    key: str
    label: str
    url_names: list  # the first one that reverses is used
    who: str  # anonymous, coordinator, participant, member
    kwargs: str = ""  # which Seeded attribute fills the URL: "slug" or "thread"
    query: str = ""  # appended to the URL, e.g. "?q=learners"
    ceiling: bool = False
    url: str = ""
    note: str = ""
    queries: int | None = None
    cpu_ms: float | None = None  # Python CPU per request, in-process (django.test.Client)
    sql_ms: float | None = None  # database time per request, in-process
    load: float | None = None  # 1-minute load average after the page's run
    status: int | None = None
    result: dict = field(default_factory=dict)
    mixed: dict = field(default_factory=dict)  # the same page while others sign in and write
    mixer: str = ""


def pages_to_bench() -> list[Page]:
    return [
        Page("text", "ceiling: trivial text view", ["bench-text"], "anonymous", ceiling=True),
        Page("one-query", "ceiling: small template, 1 query", ["bench-one-query"], "anonymous", ceiling=True),
        Page("catalog", "institute catalog", ["institutes:catalog"], "anonymous"),
        Page("institute", "institute page", ["institutes:institute-detail"], "anonymous", kwargs="slug"),
        Page(
            "queue",
            "coordinator review queue",
            ["institutes:review-queue", "institutes:queue", "institutes:applications"],
            "coordinator",
            kwargs="slug",
        ),
        Page(
            "thread",
            "thread page (5,000 posts)",
            ["communities:thread-detail", "communities:thread"],
            "member",
            kwargs="thread",
        ),
        Page("directory", "trainer directory", ["trainers:directory"], "anonymous"),
        Page("impact", "reach and impact dashboard", ["trainers:impact"], "coordinator"),
        Page("impact-public", "public impact page", ["trainers:impact-public"], "anonymous"),
        Page("dashboard", "participant dashboard", ["dashboard"], "participant"),
        Page("transcript", "my learning (500 credits this year)", ["learning:transcript"], "participant"),
        # "learners" is in two of the six seeded post bodies: 66,667 posts at scale 1.0.
        Page(
            "search", "community search (66,667 posts)", ["communities:search"], "member", query="?q=learners"
        ),
    ]


# --- environment, database, server --------------------------------------------------------


def bench_env(port: int) -> dict:
    """Production-like settings: DEBUG off, a real key, Redis for cache and sessions."""
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url(BENCH_DB),
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "CREDENTIALS_SIGNING_KEY": throwaway_signing_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "ROOT_URLCONF": "bench.urls",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        # No staticfiles/ without collectstatic: WhiteNoise's warning is noise here.
        "PYTHONWARNINGS": "ignore:No directory at",
    }


class Server:
    """gunicorn on 127.0.0.1 with one worker set-up; stopped by its own process id."""

    def __init__(self, env: dict, port: int, setup: tuple):
        self.env, self.port, self.setup = env, port, setup
        self.proc = None
        self.log = Path(tempfile.gettempdir()) / f"{BENCH_DB}-gunicorn.log"

    @property
    def label(self) -> str:
        kind, workers, threads = self.setup
        return f"{workers} {kind} workers" + (f" x {threads} threads" if kind == "gthread" else "")

    def __enter__(self):
        kind, workers, threads = self.setup
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--worker-class={kind}",
            f"--threads={threads}",
            "--worker-tmp-dir=/dev/shm",
            "--log-level=warning",
            f"--error-logfile={self.log}",
            "--timeout=60",
            "--keep-alive=5",
        ]
        self.proc = subprocess.Popen(cmd, cwd=BASE_DIR, env={**os.environ, **self.env})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/bench/text", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- wrk ------------------------------------------------------------------------------------

_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.M)


def run_wrk(url: str, cookie: str, seconds: float, connections: int = 16) -> dict:
    cmd = [
        "wrk",
        "--threads=2",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={HERE / 'report.lua'}",
    ]
    if cookie:
        cmd += ["--header", f"Cookie: {cookie}"]
    cmd.append(url)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    found = _BENCH_LINE.search(done.stdout)
    if not found:
        raise RuntimeError(f"wrk printed no BENCH line:\n{done.stdout}\n{done.stderr}")
    return {k: float(v) for k, v in (pair.split("=") for pair in found.group(1).split())}


# --- Django side: URLs, sessions, query counts, profiles -----------------------------------


def resolve_urls(pages: list[Page], seeded: dict) -> None:
    from django.urls import NoReverseMatch, reverse

    args = {"slug": {"slug": seeded["institute_slug"]}, "thread": {"pk": seeded["thread_pk"]}, "": {}}
    for page in pages:
        for name in page.url_names:
            try:
                page.url = reverse(name, kwargs=args[page.kwargs]) + page.query
                break
            except NoReverseMatch:
                continue
        else:
            page.note = f"not built yet: no URL named {' / '.join(page.url_names)}"


def signed_in_clients(seeded: dict) -> dict:
    """A django.test.Client per person, signed in through the session store (Redis + database)."""
    from django.test import Client

    from portal.models import User

    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for who in ("coordinator", "participant", "member"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(pk=seeded[f"{who}_pk"]))
        clients[who] = client
    return clients


def cookie_header(client) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def count_queries(pages: list[Page], clients: dict, repeat: int = 5) -> None:
    """Each page once (after one request that sets cookies), counting its queries; then a few
    more times for its Python CPU and database time per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cpu_ms(client, url) -> float:
        started = time.process_time()
        for _ in range(repeat):
            client.get(url)
        return (time.process_time() - started) * 1000 / repeat

    for page in pages:
        if not page.url:
            continue
        client = clients[page.who]
        first = client.get(page.url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.url)
        page.status = response.status_code
        page.queries = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            page.cpu_ms = cpu_ms(client, page.url)
        page.sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000 / repeat
        if first.status_code != 200 or response.status_code != 200:
            where = f" -> {response.get('Location')}" if response.status_code in (301, 302) else ""
            page.note = f"not measured: HTTP {response.status_code}{where}"
            if response.status_code == 404 and not page.ceiling:
                page.note += " (view not built yet?)"


def profile_page(pages: list[Page], clients: dict, key: str) -> None:
    for page in [p for p in pages if p.key in key.split(",")]:
        _profile_one(page, clients[page.who])


def _profile_one(page: Page, client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    client.get(page.url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(page.url)
    print(f"\n== {len(ctx.captured_queries)} queries for {page.url} ==")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6}s  {q['sql'][:300]}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        client.get(page.url)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


# --- the run ---------------------------------------------------------------------------------


def choose_setup(env: dict, port: int, pages: list[Page], cookies: dict, seconds: float) -> tuple:
    ceiling = next(p for p in pages if p.key == "one-query")
    probe = [ceiling, *[p for p in pages if not p.ceiling and not p.note][:2]]
    best, best_score = None, -1.0
    for setup in WORKER_SETUPS:
        with Server(env, port, setup) as server:
            rates = []
            for page in probe:
                url = f"http://127.0.0.1:{port}{page.url}"
                run_wrk(url, cookies[page.who], 1)
                result = run_wrk(url, cookies[page.who], seconds)
                rates.append(result["rps"])
            score = math.exp(sum(math.log(max(r, 0.01)) for r in rates) / len(rates))
            print(
                f"  {server.label:<28} "
                + "  ".join(f"{p.key} {r:7.1f} req/s" for p, r in zip(probe, rates, strict=True))
            )
            if score > best_score:
                best, best_score = setup, score
    return best


def load_average() -> float:
    return os.getloadavg()[0]


def print_table(pages: list[Page], setup_label: str, args, ceiling_runs: list) -> int:
    ceiling_rps = sum(ceiling_runs) / len(ceiling_runs) if ceiling_runs else float("nan")
    print(
        f"\nToT Portal bench: gunicorn {setup_label}; wrk, 16 connections, {args.duration:.0f} s per page "
        f"after {args.warmup:.0f} s of warm-up; {os.cpu_count()} CPUs; data set scale {args.scale}"
    )
    print(
        f"targets: <= {MAX_QUERIES} queries, >= {MIN_SHARE_OF_CEILING:.0f} % of the one-query ceiling's "
        f"req/s, p95 < {MAX_P95_MS:.0f} ms"
    )
    print(
        "every page built for every request; queries, cpu ms (Python CPU) and sql ms per request "
        "in-process with django.test.Client; mixed: req/s and p95 while another person signs in every "
        f"5 s and another member replies every second, and % of the page alone (target >= "
        f"{MIN_MIXED_SHARE:.0f} %); load: 1-minute load average after the page's run\n"
    )
    header = (
        f"{'page':<34} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'% 1-q':>6} "
        f"{'cpu ms':>7} {'sql ms':>7} {'mixed':>7} {'mix p95':>7} {'% alone':>7} {'load':>5}  result"
    )
    print(header)
    print("-" * (len(header) + 20))
    failures = 0
    for page in pages:
        if not page.result:
            print(f"{page.label:<34} " + " ".join(f"{'-':>7}" for _ in range(11)) + f"  {page.note}")
            continue
        r = page.result
        share = 100.0 * r["rps"] / ceiling_rps
        problems = []
        if page.ceiling:
            verdict = "ceiling"
        else:
            if page.queries > MAX_QUERIES:
                problems.append("queries")
            if share < MIN_SHARE_OF_CEILING:
                problems.append("req/s")
            if r["p95_ms"] >= MAX_P95_MS:
                problems.append("p95")
            if r["non2xx"] or r["socket_errors"]:
                problems.append(f"{int(r['non2xx'])} non-2xx, {int(r['socket_errors'])} socket errors")
            if page.mixed and 100.0 * page.mixed["rps"] / r["rps"] < MIN_MIXED_SHARE:
                problems.append("mixed run")
            if page.mixed and (page.mixed["non2xx"] or page.mixer.count("errors")):
                problems.append(f"mixed run: {int(page.mixed['non2xx'])} non-2xx; {page.mixer}")
            verdict = "PASS" if not problems else "FAIL (" + ", ".join(problems) + ")"
            failures += bool(problems)
        m = page.mixed
        mixed = (
            f"{m['rps']:>7.1f} {m['p95_ms']:>7.1f} {100.0 * m['rps'] / r['rps']:>6.0f}%"
            if m
            else f"{'-':>7} {'-':>7} {'-':>7}"
        )
        print(
            f"{page.label:<34} {r['rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {page.queries:>7} "
            f"{share:>5.0f}% {page.cpu_ms:>7.1f} {page.sql_ms:>7.1f} {mixed} "
            f"{page.load:>5.1f}  {verdict}"
        )
    if len(ceiling_runs) > 1:
        print(
            "\nThe one-query ceiling ran before and after the pages: "
            + " and ".join(f"{r:.0f}" for r in ceiling_runs)
            + f" req/s; the % column uses their mean, {ceiling_rps:.0f} req/s."
        )
    missing = sum(1 for p in pages if not p.result and not p.ceiling)
    print(f"{failures} page(s) miss a target; {missing} page(s) not measured.")
    # The bench's own gunicorn workers, PostgreSQL and wrk keep the load near the number of
    # workers plus two; other work shows as load before the run, or as a load well above that.
    busiest = max((p.load for p in pages if p.load is not None), default=0.0)
    cpus = os.cpu_count() or 1
    if args.load_before > cpus / 2 or busiest > cpus * 2:
        print(
            f"Warning: the load average was {args.load_before:.1f} before the run and reached "
            f"{busiest:.1f} during it, on {cpus} CPUs: other processes were competing for the CPUs, "
            "and every figure above is lower than this machine can do."
        )
    return failures


def drive(port: int, page: Page, cookies: dict, args) -> dict:
    url = f"http://127.0.0.1:{port}{page.url}"
    run_wrk(url, cookies[page.who], args.warmup)
    result = run_wrk(url, cookies[page.who], args.duration)
    page.load = load_average()
    print(
        f"  {page.key:<10} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  (load {page.load:.1f})"
    )
    return result


def drive_mixed(port: int, page: Page, cookies: dict, seeded: dict, args) -> None:
    from django.urls import reverse

    from bench.mixer import Mixer
    from bench.seed import PASSWORD

    thread = {"pk": seeded["writer_thread_pk"]}
    mixer = Mixer(
        base=f"http://127.0.0.1:{port}",
        signer_email=seeded["signer_email"],
        writer_email=seeded["writer_email"],
        password=PASSWORD,
        reply_path=reverse("communities:post-create", kwargs=thread),
        thread_path=reverse("communities:thread-detail", kwargs=thread),
    )
    with mixer:
        page.mixed = drive(port, page, cookies, args)
    page.mixer = mixer.summary()
    print(f"  {'':<10} alongside: {page.mixer}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the state-sized data set")
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per page")
    parser.add_argument("--trial", type=float, default=3, help="seconds per page when choosing workers")
    parser.add_argument("--workers", help="skip the trial: e.g. sync:5 or gthread:2x4")
    parser.add_argument("--reuse-db", action="store_true", help="keep the last run's seeded database")
    parser.add_argument("--only", help="comma-separated page keys (the ceilings always run)")
    parser.add_argument("--profile", metavar="PAGES", help="print pages' queries and pyinstrument profiles")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed run")
    args = parser.parse_args(argv)

    if not shutil.which("wrk") and not args.profile:
        print(
            "wrk is missing: install it with `apt-get install wrk` (Debian) and run again.", file=sys.stderr
        )
        return 2

    port = free_port()
    env = bench_env(port)
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at")
    sys.path.insert(0, str(BASE_DIR))
    t0 = time.monotonic()
    args.load_before = os.getloadavg()[0]
    print(f"Load average before the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    fresh = not args.reuse_db or not SEEDED_FILE.exists()
    if fresh:
        print(f"Creating database {BENCH_DB} ...")
        recreate_database(BENCH_DB)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    from bench.seed import Scale, seed

    if fresh:
        print("Migrating ...")
        call_command("migrate", verbosity=0, interactive=False)
        cache.clear()  # Redis db of the bench only
        print(f"Seeding (scale {args.scale}) ...")
        seeded = asdict(seed(Scale.of(args.scale)))
        SEEDED_FILE.write_text(json.dumps(seeded))
    else:
        seeded = json.loads(SEEDED_FILE.read_text())
        print(f"Reusing database {BENCH_DB} seeded earlier: {seeded['counts']}")
        call_command("migrate", verbosity=0, interactive=False)

    pages = pages_to_bench()
    if args.only:
        keep = set(args.only.split(","))
        pages = [p for p in pages if p.ceiling or p.key in keep]
    resolve_urls(pages, seeded)
    clients = signed_in_clients(seeded)
    print("Counting queries ...")
    count_queries(pages, clients)
    if args.profile:
        profile_page(pages, clients, args.profile)
        return 0
    cookies = {who: cookie_header(client) for who, client in clients.items()}
    connections.close_all()

    ready = [p for p in pages if p.url and not p.note]
    if args.workers:
        kind, _, count = args.workers.partition(":")
        workers, _, threads = count.partition("x")
        setup = (kind, int(workers), int(threads or 1))
    else:
        print("Choosing the gunicorn set-up for this machine ...")
        setup = choose_setup(env, port, ready, cookies, args.trial)
    ceiling = next(p for p in ready if p.key == "one-query")
    ceiling_runs = []
    with Server(env, port, setup) as server:
        print(f"Serving with gunicorn, {server.label}; driving {len(ready)} pages ...")
        for page in ready:
            page.result = drive(port, page, cookies, args)
            if page is ceiling:
                ceiling_runs.append(page.result["rps"])
        again = drive(port, ceiling, cookies, args)
        ceiling_runs.append(again["rps"])
        if not args.no_mixed:
            print("Mixed run: each page again while others sign in and write ...")
            for page in ready:
                if not page.ceiling:
                    drive_mixed(port, page, cookies, seeded, args)
        label = server.label
    print_table(pages, label, args, ceiling_runs)
    print(f"(whole run: {time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
