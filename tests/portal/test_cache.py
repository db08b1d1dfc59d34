import threading

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache only")


def test_redis_cache_reuses_one_client_per_pool_and_works_across_threads():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client  # one server: reads and writes share it
    results = []

    def work(n):
        cache.set(f"test-cache-{n}", {"n": n}, 30)
        results.append(cache.get(f"test-cache-{n}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["n"] for r in results) == list(range(8))
    assert cache.get_many(["test-cache-1", "missing"]) == {"test-cache-1": {"n": 1}}
    cache.delete_many([f"test-cache-{n}" for n in range(8)])
    assert cache.get("test-cache-1") is None
