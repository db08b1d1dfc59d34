"""A small same-site crawler for the quality suites: it finds the pages and forms each role can reach."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

SKIP_PREFIXES = ("/static/", "/admin/", "/accounts/logout/", "/accounts/email/", "/accounts/2fa/")


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[dict] = field(default_factory=list)

    @property
    def signature(self) -> tuple:
        return (self.action, tuple(sorted(f["name"] for f in self.fields)))


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype") or "",
            )
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._form.fields.append(
                {
                    "tag": "input",
                    "type": (a.get("type") or "text").lower(),
                    "name": a["name"],
                    "value": a.get("value") or "",
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "type": "textarea", "name": a["name"], "value": ""}
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = {
                "tag": "select",
                "type": "select",
                "name": a["name"],
                "options": [],
                "multiple": "multiple" in a,
            }
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def parse(page: str, html: str) -> tuple[list[str], list[Form]]:
    parser = _Parser(page)
    parser.feed(html)
    return parser.links, parser.forms


def crawl(client, starts: list[str], limit: int = 120) -> tuple[dict[str, int], list[Form]]:
    """Breadth-first over same-site links; returns {path: status} and the POST forms seen."""
    seen: dict[str, int] = {}
    forms: dict[tuple, Form] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        links, page_forms = parse(path, response.content.decode())
        for form in page_forms:
            if form.method == "post" and not form.action.startswith(SKIP_PREFIXES):
                forms.setdefault(form.signature, form)
        for href in links:
            url = urldefrag(urljoin(path, href)).url
            parsed = urlparse(url)
            if parsed.netloc and parsed.netloc != "testserver":
                continue
            local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if local.startswith(SKIP_PREFIXES) or local in seen:
                continue
            queue.append(local)
    return seen, list(forms.values())


def fill(form: Form, text: str, upload=None) -> dict:
    """Every free-text field gets ``text``; choices keep a valid value; hidden fields keep theirs."""
    data: dict = {}
    for f in form.fields:
        kind = f["type"]
        if kind in ("submit", "button", "reset", "image"):
            continue
        if kind == "hidden":
            data[f["name"]] = f["value"]
        elif kind in ("checkbox", "radio"):
            if kind == "checkbox" or f["name"] not in data:
                data[f["name"]] = f["value"] or "on"
        elif kind == "select":
            options = [o for o in f["options"] if o]
            data[f["name"]] = options[0] if options else ""
        elif kind == "file":
            if upload is not None:
                data[f["name"]] = upload()
        else:  # text, email, url, number, date, time, search, tel, password, textarea
            data[f["name"]] = text
    return data
