"""Finds live markup in rendered HTML: what a browser would run or load, not what it shows as text."""

from html.parser import HTMLParser

FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "form", "meta", "base", "body", "img"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Finder(HTMLParser):
    def __init__(self, *, page: bool):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Our own pages load same-origin scripts only; a fragment has none at all.
        if tag == "script" and (not self.page or not (attrs.get("src") or "").startswith("/static/")):
            self.problems.append(f"<script {attrs}>")
        if tag in FORBIDDEN_TAGS and not (self.page and tag in {"body", "meta", "form"}):
            self.problems.append(f"<{tag}>")
        if tag == "form" and self.page and not (attrs.get("action") or "/").startswith("/"):
            self.problems.append(f"<form action={attrs.get('action')!r}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            cleaned = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in {"href", "src", "action", "xlink:href", "formaction"} and cleaned.startswith(
                BAD_SCHEMES
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str, *, page: bool = False) -> list[str]:
    finder = _Finder(page=page)
    finder.feed(html)
    finder.close()
    return finder.problems
