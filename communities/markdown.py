"""Markdown for posts, resource descriptions and plans: rendered, then sanitised with an allow-list.

Two layers, on purpose. markdown-it renders with raw HTML switched off (so typed HTML shows as
text) and refuses unsafe link schemes; nh3 then cleans the result against a strict allow-list,
so that even a bug in the renderer cannot let markup through. Remote images are never loaded
on their own: an image becomes a link the reader may choose to follow, so no post can track
who reads it.
"""

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"
SAFE_IMAGE_SCHEMES = ("http://", "https://")


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = (token.attrGet("src") or "").strip()
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    if not src.lower().startswith(SAFE_IMAGE_SCHEMES):
        return escapeHtml(f"[image: {alt}]")
    return f'<a href="{escapeHtml(src)}">Show image: {escapeHtml(alt)}</a>'


def _heading_open(self, tokens, idx, options, env):
    # A post lives inside a page that already has its h1 (and h2 sections): shift headings down.
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


def _heading_close(self, tokens, idx, options, env):
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("image", _render_image)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


_md = _build()


def sanitise_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown in, safe HTML out. Store the result (body_html) and mark it safe in templates."""
    if not text:
        return ""
    return sanitise_html(_md.render(text))
