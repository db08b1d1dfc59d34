"""Rehearse a worker kill: does every e-mail go out once, under its own Message-ID?

    python -m bench.killrehearsal [--runs 5] [--emails 300] [--kills 3] [--workers 2] [--concurrency 2]

Uses its own database (tot_kill_rehearsal; BENCH_ADMIN_DATABASE_URL says where PostgreSQL is)
and Redis database 13 as the broker (REHEARSAL_REDIS_URL). For each run it starts a local SMTP
server (aiosmtpd) that records the Message-ID of every message it accepts, starts the Celery
workers (`celery -A portal worker`, each in its own process group), queues the e-mails through
the ledger (half one by one as services do, half in batches as the reminder scans do), and
SIGKILLs a whole worker (its main process and pool) at spread-out points while the mail goes
out, starting a fresh worker each time. Meanwhile it sweeps the outbox every few seconds as beat
or cron would. Once every ledger row says sent it waits a moment more and counts:

- missing: ledger rows whose Message-ID the server never accepted;
- same-ID resends: messages the server accepted twice or more under the same Message-ID;
- new-ID resends: messages accepted under a Message-ID the ledger does not hold (must be 0);
- reclaimed: rows claimed more than once (a kill caught them mid-conversation, or a sweep's
  task came first); "swept" counts the rows the sweeps queued again.

The lease, the broker's visibility timeout, kombu's restore sweep and the outbox grace are
shortened through the environment so that a run takes seconds, not an hour.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes

from bench.databases import database_url, free_port, recreate_database
from bench.signing import throwaway_signing_key

DB_NAME = os.environ.get("KILL_REHEARSAL_DATABASE_NAME", "tot_kill_rehearsal")
REDIS_URL = os.environ.get("REHEARSAL_REDIS_URL", "redis://127.0.0.1:6379/13")
# Short enough for a rehearsal; production keeps the defaults in portal/settings.py.
SHORT = {
    "EMAIL_CLAIM_LEASE_SECONDS": "6",
    "CELERY_VISIBILITY_TIMEOUT": "8",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    "EMAIL_FLUSH_GRACE_SECONDS": "4",
    "EMAIL_RETRY_BACKOFF_SECONDS": "1",
}
SWEEP_EVERY = 2.0


class Sink:
    """aiosmtpd handler that records the Message-ID of every accepted message."""

    def __init__(self, delay: float):
        self.delay = delay
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, str]] = []  # (Message-ID, recipient)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)  # a real server takes a moment; kills land mid-conversation
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content)
        with self.lock:
            self.accepted.append((str(message["Message-ID"]).strip(), envelope.rcpt_tos[0]))
        return "250 Message accepted for delivery"


def environment(smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        **SHORT,
        "DATABASE_URL": database_url(DB_NAME),
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "CREDENTIALS_SIGNING_KEY": os.environ.get("CREDENTIALS_SIGNING_KEY") or throwaway_signing_key(),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


class Workers:
    def __init__(self, env: dict, count: int, concurrency: int):
        self.env, self.concurrency = env, concurrency
        self.started = 0
        self.procs: list[subprocess.Popen] = [self.start() for _ in range(count)]

    def start(self) -> subprocess.Popen:
        self.started += 1
        return subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "portal", "worker",
                "-c", str(self.concurrency), "-n", f"rehearsal{self.started}@%h",
                "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes the pool with it
        )  # fmt: skip

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL one worker's whole process group (as an OOM kill would), then start another."""
        victim = rng.choice(self.procs)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        self.procs[self.procs.index(victim)] = self.start()

    def stop(self) -> None:
        for proc in self.procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def queue_emails(count: int, run: int) -> None:
    from portal import emails

    half = count // 2
    for i in range(half):  # one by one, as services queue a decision
        emails.queue_raw(
            to=f"person{i}@example.org",
            kind="rehearsal.single",
            subject=f"Rehearsal {run}: message {i}",
            body_text=f"Message {i} of run {run}.\n.A line that starts with a dot.",
            milestone=f"run-{run}",
        )
    messages = [
        emails.Message(
            to=f"person{i}@example.org",
            kind="rehearsal.batch",
            template="emails/notice",
            subject=f"Rehearsal {run}: message {i}",
            context={"lines": [f"Message {i} of run {run}."]},
            milestone=f"run-{run}",
        )
        for i in range(half, count)
    ]
    for start in range(0, len(messages), 50):  # in batches, as reminder scans do
        emails.queue_many(messages[start : start + 50])


def one_run(run: int, args, rng: random.Random) -> dict:
    from aiosmtpd.controller import Controller
    from django.db import connection

    from portal import emails
    from portal.celery import app
    from portal.models import OutboundEmail

    OutboundEmail.objects.all().delete()
    app.control.purge()
    sink = Sink(delay=args.smtp_delay)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    workers = Workers(environment(port), args.workers, args.concurrency)
    started = time.monotonic()
    try:
        queue_emails(args.emails, run)
        # Kill when this share of the mail has gone out, a little jittered.
        marks = sorted(rng.uniform(0.1, 0.8) for _ in range(args.kills))
        kills = 0
        last_sweep = time.monotonic()
        swept = 0
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            sent = OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count()
            if kills < len(marks) and sent >= marks[kills] * args.emails:
                workers.kill_one(rng)
                kills += 1
            if time.monotonic() - last_sweep >= SWEEP_EVERY:
                swept += emails.sweep_outbox()
                last_sweep = time.monotonic()
            if sent == args.emails and kills == len(marks):
                break
            time.sleep(0.02)
        time.sleep(args.settle)  # any late duplicate would arrive by now
    finally:
        workers.stop()
        controller.stop()
        connection.close()
    ledger = dict(OutboundEmail.objects.values_list("dedupe_key", "state"))
    ledger_ids = {OutboundEmail(dedupe_key=key).message_id for key in ledger}
    received = Counter(mid for mid, _ in sink.accepted)
    claimed_again = OutboundEmail.objects.filter(attempts__gt=1).count()
    not_sent = sum(state != OutboundEmail.State.SENT for state in ledger.values())
    return {
        "run": run,
        "seconds": time.monotonic() - started,
        "kills": kills,
        "ledger": len(ledger),
        "not_sent": not_sent,
        "accepted": len(sink.accepted),
        "missing": len(ledger_ids - set(received)),
        "same_id_resends": sum(n - 1 for mid, n in received.items() if mid in ledger_ids),
        "new_id_resends": sum(n for mid, n in received.items() if mid not in ledger_ids),
        "swept": swept,
        "claimed_again": claimed_again,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--smtp-delay", type=float, default=0.02, help="Seconds the server takes per RCPT.")
    parser.add_argument("--timeout", type=float, default=180.0, help="Seconds a run may take.")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    recreate_database(DB_NAME)
    os.environ.update(environment(0))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"{args.workers} workers x {args.concurrency} processes, {args.emails} e-mails, {args.kills} kills a run;"
        f" {', '.join(f'{k}={v}' for k, v in SHORT.items())}"
    )
    header = (
        f"{'run':>3} {'seconds':>7} {'kills':>5} {'ledger':>6} {'unsent':>6} {'accepted':>8}"
        f" {'missing':>7} {'same-ID':>7} {'new-ID':>6} {'swept':>5} {'reclaimed':>9}"
    )
    print(header)
    rng = random.Random(args.seed)
    results = []
    for run in range(1, args.runs + 1):
        r = one_run(run, args, rng)
        results.append(r)
        print(
            f"{r['run']:>3} {r['seconds']:>7.1f} {r['kills']:>5} {r['ledger']:>6} {r['not_sent']:>6}"
            f" {r['accepted']:>8} {r['missing']:>7} {r['same_id_resends']:>7} {r['new_id_resends']:>6}"
            f" {r['swept']:>5} {r['claimed_again']:>9}",
            flush=True,
        )
    ok = all(
        r["missing"] == 0
        and r["not_sent"] == 0
        and r["new_id_resends"] == 0
        and r["same_id_resends"] <= r["kills"]
        for r in results
    )
    print(
        "Target met: nothing missing, no new Message-ID, at most one same-ID resend per kill."
        if ok
        else "TARGET MISSED: see the columns above."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
