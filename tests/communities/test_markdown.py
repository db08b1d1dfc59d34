"""The Markdown renderer and its allow-list sanitiser."""

import pytest

from communities.markdown import render_markdown
from tests.communities.xss import live_markup

# The suite-wide autouse fixture clears the cache, which is a database table on SQLite.
pytestmark = pytest.mark.django_db

# Hostile input, as members might type it into a thread, a reply or a resource description.
HOSTILE_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](  javascript:alert(1) )",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">covering the page</p>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "![tracker](https://evil.example/pixel.gif)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://evil.example/a.png)',
    '[x](https://ok.example "title" onmouseover=alert(1))',
    "<details open ontoggle=alert(1)>",
    "<a href='&#106;avascript:alert(1)'>entity</a>",
    "[entity](&#106;avascript:alert(1))",
    "<base href='https://evil.example/'>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<!--<script>alert(1)</script>-->",
    "<<script>script>alert(1)<</script>/script>",
]


def assert_inert(html: str) -> None:
    assert live_markup(html) == [], html


@pytest.mark.parametrize("payload", HOSTILE_PAYLOADS)
def test_hostile_payload_renders_inert(payload):
    assert_inert(render_markdown(payload))


def test_plain_markdown_renders_emphasis_lists_and_code():
    html = render_markdown("**bold** and *soft*\n\n- one\n- two\n\n`code`")
    assert html == (
        "<p><strong>bold</strong> and <em>soft</em></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<p><code>code</code></p>\n"
    )


def test_links_get_nofollow_noopener_ugc():
    html = render_markdown("[CALPRO](https://www.calpro-online.org)")
    assert html == ('<p><a href="https://www.calpro-online.org" rel="nofollow noopener ugc">CALPRO</a></p>\n')


def test_remote_image_becomes_a_link_not_an_image():
    html = render_markdown("![class photo](https://example.org/photo.jpg)")
    assert html == (
        '<p><a href="https://example.org/photo.jpg" rel="nofollow noopener ugc">'
        "Show image: class photo</a></p>\n"
    )


def test_typed_html_shows_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_headings_move_below_the_page_heading():
    assert render_markdown("# Title") == "<h2>Title</h2>\n"


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
