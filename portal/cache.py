"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call; with redis-py 8 that
costs about as much as the round trip itself (60 us of CPU), and a signed-in page makes a few
calls (the session, the person's groups). A ``redis.Redis`` is safe to share between threads:
it takes a connection from its pool for each command.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
