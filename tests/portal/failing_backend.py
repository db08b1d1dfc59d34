"""Mail backends for tests: one that always refuses, one that refuses each message once."""

import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection")


class FailOnceBackend(LocmemBackend):
    """Refuses the first attempt of each message (by Message-ID), then accepts it into mail.outbox."""

    seen: set[str] = set()
    lock = threading.Lock()

    def send_messages(self, email_messages):
        with self.lock:
            fresh = [m.extra_headers.get("Message-ID") for m in email_messages]
            first = [mid for mid in fresh if mid not in self.seen]
            self.seen.update(first)
        if first:
            raise ConnectionResetError("the mail server hung up")
        return super().send_messages(email_messages)
