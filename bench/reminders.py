"""Benchmark of the daily reminder scans on a state-sized PostgreSQL database.

    python -m bench.reminders [--scale 1.0] [--batch-size 1000] [--keep-db] [--reuse] [--profile FILE]

Creates its own database (tot_bench_reminders; never tot_portal or a test database), migrates
it, seeds 100,000 certifications (facilitation commitments) and 200,000 assignment submissions
with bulk_create, then runs every scan in settings.REMINDER_SCANS twice and prints, per run, the
time, the number of SQL queries, the batches and the ledger rows recorded. The second run must
record nothing: every key is already in the ledger. Delivery tasks go to an in-memory broker
and e-mail to the locmem backend, so nothing leaves the machine and the numbers are the scan's.

This is a tool, not app code: it imports the apps' models lazily, inside functions, after
django.setup() — portal itself imports no app.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta

from bench.databases import database_url, recreate_database

BENCH_DB = os.environ.get("BENCH_REMINDERS_DATABASE_NAME", "tot_bench_reminders")
BULK = 5000


def setup_django() -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url(BENCH_DB),
            "ALLOW_INSECURE_KEY": "true",
            "EMAIL_URL": "memorymail://",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    import django

    django.setup()
    from portal.celery import app

    # Queue delivery tasks in memory instead of running them in-process: the bench measures
    # the scans (ledger writes and enqueueing), not the mail server.
    app.conf.task_always_eager = False


def seed(scale: float, today) -> dict[str, int]:
    """Users, institutes, accepted applications, assignments, submissions and certifications."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from institutes.models import Application, Assignment, AssignmentSubmission, Institute, Module
    from portal.models import User
    from trainers.models import COMMITMENT_DAYS, Certification

    rng = random.Random(7)
    n_users = int(50_000 * scale)
    n_institutes = max(int(500 * scale), 1)
    per_institute = 100
    assignments_per_institute = 5
    n_certifications = int(100_000 * scale)
    n_submissions = int(200_000 * scale)

    modules = Module.objects.bulk_create(
        [Module(title=f"Bench module {i}", slug=f"bench-module-{i}") for i in range(16)]
    )
    User.objects.bulk_create(
        (User(email=f"bench{i}@example.org", name=f"Bench Person {i}", password="!") for i in range(n_users)),
        batch_size=BULK,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    coordinators = User.objects.bulk_create(
        [
            User(email=f"bench-coordinator{i}@example.org", name=f"Coordinator {i}", password="!")
            for i in range(20)
        ]
    )
    Group.objects.get(name="Coordinators").user_set.add(*coordinators)

    now = timezone.now()
    Institute.objects.bulk_create(
        (
            Institute(
                module=modules[i % len(modules)],
                title=f"Bench institute {i}",
                slug=f"bench-institute-{i}",
                description="Bench",
                status=Institute.Status.RUNNING,
                applications_open_at=now - timedelta(days=90),
                applications_close_at=now - timedelta(days=60),
            )
            for i in range(n_institutes)
        ),
        batch_size=BULK,
    )
    institute_ids = list(Institute.objects.order_by("pk").values_list("pk", flat=True))
    Application.objects.bulk_create(
        (
            Application(
                applicant_id=user_ids[(i * per_institute + j) % n_users], institute_id=inst, status="accepted"
            )
            for i, inst in enumerate(institute_ids)
            for j in range(per_institute)
        ),
        batch_size=BULK,
        ignore_conflicts=True,
    )
    # Due dates from 60 days ago to 60 days ahead, so some fall in each reminder window.
    Assignment.objects.bulk_create(
        (
            Assignment(
                institute_id=inst,
                title=f"Reading {k}",
                instructions="Read and reflect.",
                due_on=today + timedelta(days=rng.randint(-60, 60)),
            )
            for inst in institute_ids
            for k in range(assignments_per_institute)
        ),
        batch_size=BULK,
    )
    assignments_by_institute: dict[int, list[int]] = {}
    for pk, inst in Assignment.objects.values_list("pk", "institute_id"):
        assignments_by_institute.setdefault(inst, []).append(pk)
    pairs = [
        (app_pk, asg)
        for app_pk, inst in Application.objects.values_list("pk", "institute_id").iterator(chunk_size=BULK)
        for asg in assignments_by_institute[inst]
    ]
    rng.shuffle(pairs)
    states = ["accepted"] * 6 + ["submitted"] * 3 + ["revision"]
    AssignmentSubmission.objects.bulk_create(
        (
            AssignmentSubmission(application_id=a, assignment_id=s, text="Done.", state=rng.choice(states))
            for a, s in pairs[:n_submissions]
        ),
        batch_size=BULK,
    )
    # Issue dates over the last two years: deadlines spread from a year ago to a year ahead.
    certifications = []
    for i in range(n_certifications):
        issued = today - timedelta(days=rng.randint(0, 2 * COMMITMENT_DAYS))
        certifications.append(
            Certification(
                participant_id=user_ids[i % n_users],
                module=modules[i % len(modules)],
                issued_on=issued,
                commitment_ends_on=issued + timedelta(days=COMMITMENT_DAYS),
                code=f"bench-{i}",
            )
        )
    Certification.objects.bulk_create(certifications, batch_size=BULK)
    return {
        "users": n_users,
        "accepted applications": Application.objects.count(),
        "assignments": Assignment.objects.count(),
        "assignment submissions": AssignmentSubmission.objects.count(),
        "certifications": Certification.objects.count(),
    }


class QueryCounter:
    """Counts every SQL statement without keeping them (CaptureQueriesContext would hold 10^5)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run_scans(batch_size: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils.module_loading import import_string

    from portal.models import OutboundEmail

    counter = QueryCounter()
    before = OutboundEmail.objects.count()
    totals = {"batches": 0, "queued": 0, "suppressed": 0, "already_recorded": 0}
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        for dotted in settings.REMINDER_SCANS:
            for counts in import_string(dotted)(batch_size=batch_size).values():
                for key in totals:
                    totals[key] += counts[key]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "queries": counter.count,
        **totals,
        "new_ledger_rows": OutboundEmail.objects.count() - before,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 100,000 commitments, 200,000 submissions"
    )
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep-db", action="store_true", help=f"Leave {BENCH_DB} for inspection.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"Keep the seeded {BENCH_DB} left by --keep-db (same day only): empty its ledger, do not seed.",
    )
    parser.add_argument("--profile", metavar="FILE", help="Write a pyinstrument profile of the first run.")
    args = parser.parse_args(argv)

    if not args.reuse:
        recreate_database(BENCH_DB)
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection

        from portal.models import OutboundEmail
        from portal.reminders import portal_today

        call_command("migrate", verbosity=0)
        if args.reuse:
            # TRUNCATE rather than DELETE: the runs find the ledger as a fresh seed leaves it, not
            # full of the last runs' dead rows for its indexes and counts to walk.
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {OutboundEmail._meta.db_table}")
            print(f"Reusing {BENCH_DB}, ledger emptied.")
        else:
            started = time.perf_counter()
            seeded = seed(args.scale, portal_today())
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
            print(f"Seeded {BENCH_DB} in {time.perf_counter() - started:.1f} s:")
            for label, n in seeded.items():
                print(f"  {label:>24}: {n:,}")
        print()
        # CPU seconds are this process's own (not PostgreSQL's): on a shared machine they move less
        # than the wall clock does.
        header = f"{'run':>4} {'seconds':>8} {'cpu s':>6} {'queries':>8} {'batches':>8} {'recorded':>9} {'already':>8} {'per batch':>10}"
        print(header)
        runs = []
        for run in (1, 2):
            profiler = None
            if args.profile and run == 1:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            result = run_scans(args.batch_size)
            if profiler is not None:
                profiler.stop()
                with open(args.profile, "w") as out:
                    out.write(profiler.output_text(color=False, unicode=False))
            runs.append(result)
            per_batch = result["queries"] / max(result["batches"], 1)
            print(
                f"{run:>4} {result['seconds']:>8.2f} {result['cpu_seconds']:>6.2f} {result['queries']:>8,} {result['batches']:>8,}"
                f" {result['new_ledger_rows']:>9,} {result['already_recorded']:>8,} {per_batch:>10.1f}"
            )
        print()
        if runs[1]["new_ledger_rows"] == 0:
            print("The second run recorded and sent nothing: every reminder was already in the ledger.")
            return 0
        print("UNEXPECTED: the second run recorded new ledger rows.")
        return 1
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep_db or args.reuse):
            recreate_database(BENCH_DB, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
