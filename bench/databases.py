"""What the bench's scripts share: their own PostgreSQL databases and free local ports."""

import os
import socket

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PROTECTED = {"tot_portal", "postgres", "template0", "template1"}


def database_url(name: str) -> str:
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def recreate_database(name: str, *, drop_only: bool = False) -> None:
    """Drop ``name`` and create it empty; a script may only ever drop a database of its own."""
    import psycopg2

    if name in PROTECTED or name.startswith("test_"):
        raise SystemExit(f"Refusing to drop {name!r}: the bench only uses databases of its own.")
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
