"""A real SMTP server on localhost for tests (aiosmtpd), recording what it accepts."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps every accepted message; ``on_data`` may answer instead."""

    def __init__(self, on_data: Callable | None = None, refuse_rcpt: str = ""):
        self.received: list[dict] = []
        self.on_data = on_data
        self.refuse_rcpt = refuse_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Called once the final "." has arrived, before the server answers it.
        if self.on_data is not None:
            answer = await self.on_data(envelope)
            if answer:
                return answer
        self.received.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.original_content,
                "message": message_from_bytes(envelope.original_content),
            }
        )
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(settings, handler: Recorder):
    """Run the server and point Django's SMTP backend at it."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield handler
    finally:
        controller.stop()
