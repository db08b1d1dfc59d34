"""Community search at state size, in-process: p50/p95 and queries of the search page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tot_bench python -m bench.search [--runs 50]

Uses a database the bench has seeded (``python -m bench.pages``, or bench.seed at any scale) and
migrated; it writes nothing. Each case is requested once to warm up, then ``--runs`` times
through django.test.Client, as the bench's people: a visitor, the member and a coordinator.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

# Matches: "learners" two of the seeded post bodies in six (about 66,000 posts at scale 1.0),
# "gallery walk" one in six, "lesson ideas" a fifth of the threads; "zebra" nothing.
CASES = [
    ("visitor", "learners", None, 1),
    ("member", "learners", None, 1),
    ("member", "learners", "posts", 50),
    ("coordinator", "learners", None, 1),
    ("member", "gallery walk", None, 1),
    ("member", "lesson ideas", "threads", 1),
    ("member", "zebra", None, 1),
]
PEOPLE = {"member": "member@bench.example.org", "coordinator": "coordinator0@tot-portal.example.org"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)

    from bench.pages import bench_env

    # The bench's production-like settings, on the database and Redis given in the environment.
    keep = ("DATABASE_URL", "REDIS_URL")
    os.environ.update({k: v for k, v in bench_env(8000).items() if k not in keep or k not in os.environ})
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    warnings.filterwarnings("ignore", "No directory at")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from communities.search import search
    from portal.models import User

    clients = {"visitor": Client(HTTP_HOST="127.0.0.1")}
    people = {"visitor": AnonymousUser()}
    for who, email in PEOPLE.items():
        people[who] = User.objects.get(email=email)
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(people[who])

    print(f"{connection.settings_dict['NAME']}: {args.runs} requests per case")
    print(
        f"{'who':<12} {'query':<14} {'kind':<9} {'page':>4} {'results':>8} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7}"
    )
    for who, q, kind, page in CASES:
        client = clients[who]
        params = {"q": q, **({"kind": kind, "page": page} if kind else {})}
        client.get(reverse("communities:search"), params)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("communities:search"), params)
        queries = len(ctx.captured_queries)  # now: the next request empties the log
        assert response.status_code == 200, response.status_code
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(reverse("communities:search"), params)
            timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
        print(
            f"{who:<12} {q:<14} {kind or 'all':<9} {page:>4} {search(people[who], q, kind, page).total:>8} "
            f"{queries:>7} {statistics.median(timings):>7.1f} {p95:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
