"""Other people at work while a page is driven: the bench's mixed run.

While wrk drives one page, one person signs in through the log-in form every ``sign_in_every``
seconds (a new session and a new ``last_login`` each time) and another member replies in
another thread every ``reply_every`` seconds, both over HTTP through the same gunicorn, as a
browser would. A page that depended on nobody else writing (a cache that any write or sign-in
empties) would show it here; a page built for every request should not care.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and the two things the mixed run does with it: sign in, and post a form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, form_page: str, data: dict) -> int:
        """POST ``data`` with the CSRF token of the form on ``form_page``; the status returned."""
        found = _TOKEN.search(self.get(form_page))
        if not found:
            raise RuntimeError(f"no CSRF token on {form_page}")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": found.group(1), **data}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + form_page}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:  # a redirect (302) arrives here with _NoRedirect
            return exc.code

    def sign_in(self, email: str, password: str) -> bool:
        status = self.post("/accounts/login/", "/accounts/login/", {"login": email, "password": password})
        return status == 302


@dataclass
class Mixer:
    base: str
    signer_email: str
    writer_email: str
    password: str
    reply_path: str  # communities:post-create of the writer's thread
    thread_path: str  # that thread's page (holds the reply form)
    sign_in_every: float = 5.0
    reply_every: float = 1.0
    sign_ins: int = 0
    replies: int = 0
    errors: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._threads = []

    def _every(self, seconds: float, action) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            try:
                action()
            except Exception as exc:  # reported after the run, never hidden
                self.errors.append(f"{type(exc).__name__}: {exc}")
            due += seconds
            self._stop.wait(max(due - time.monotonic(), 0))

    def _sign_in(self) -> None:
        if not Browser(self.base).sign_in(self.signer_email, self.password):
            raise RuntimeError(f"{self.signer_email} could not sign in")
        self.sign_ins += 1

    def _reply(self) -> None:
        status = self._writer.post(
            self.reply_path, self.thread_path, {"body": f"Mixed-run reply {self.replies + 1}: still here."}
        )
        if status != 302:
            raise RuntimeError(f"reply answered HTTP {status}")
        self.replies += 1

    def __enter__(self) -> Mixer:
        self._writer = Browser(self.base)
        if not self._writer.sign_in(self.writer_email, self.password):
            raise RuntimeError(f"{self.writer_email} could not sign in")
        for seconds, action in ((self.sign_in_every, self._sign_in), (self.reply_every, self._reply)):
            thread = threading.Thread(target=self._every, args=(seconds, action), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def summary(self) -> str:
        text = f"{self.sign_ins} sign-ins, {self.replies} replies"
        if self.errors:
            text += f", {len(self.errors)} errors (first: {self.errors[0]})"
        return text
