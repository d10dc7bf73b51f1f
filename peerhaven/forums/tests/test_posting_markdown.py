"""Markdown rendering: XSS payloads come out inert; links get rel; images only from our own
image view; quotes carry the author label; mentions are found."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from peerhaven.forums.markdown import mentioned_names, quote_markdown, render_markdown
from peerhaven.forums.tests.grid_posting import make_topic, seasoned

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)><circle/></svg>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "[x](vbscript:msgbox(1))",
    "![x](https://evil.example/track.png)",
    "![x](/community/images/../../admin/)",
    "<div onclick=alert(1)>x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "[a](\"onmouseover=alert(1) x=\")",
]

_BAD_TAGS = {"script", "svg", "iframe", "style", "math", "object", "embed", "form", "base", "meta", "link"}
_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class _Inspector(HTMLParser):
    """Collects every executable thing a browser would act on: parsed tags and attributes,
    not escaped text that merely looks like them."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and (values.get("src") or "").startswith("/static/") and values.get("src", "").endswith(".js"):
            return  # our own static scripts
        if tag in _BAD_TAGS and not (tag == "link" and (values.get("href") or "").startswith("/static/")) and not (
            tag == "form" and values.get("method") == "post" and (values.get("action") or "/").startswith("/")
        ):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction"} and value and _BAD_SCHEME.match(value):
                self.problems.append(f"{tag}[{name}={value}]")


def _problems(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_renders_xss_payloads_inert(payload: str) -> None:
    html = render_markdown(payload)
    assert _problems(html) == [], html
    assert "<form" not in html and "<link" not in html


def test_it_adds_rel_to_links_and_keeps_safe_markup() -> None:
    html = render_markdown("**bold** [site](https://example.org) > quote")
    assert '<a href="https://example.org" rel="nofollow noopener ugc">site</a>' in html
    assert "<strong>bold</strong>" in html


def test_it_only_keeps_images_from_the_forum_image_view() -> None:
    key = "a" * 32
    assert f'src="/community/images/{key}/"' in render_markdown(f"![alt](/community/images/{key}/)")
    assert "src=" not in render_markdown("![alt](https://example.org/x.png)")
    assert "src=" not in render_markdown("![alt](//example.org/x.png)")


def test_it_shifts_headings_below_the_page_headings() -> None:
    assert "<h3>Title</h3>" in render_markdown("# Title")
    assert "<h1" not in render_markdown("# Title") and "<h2" not in render_markdown("## Sub")


def test_it_finds_mentions_once_and_not_in_addresses() -> None:
    assert mentioned_names("hi @Alice, @alice and @bob. mail me@example.org \\@carol") == ["alice", "bob"]


def test_it_quotes_with_the_label_and_does_not_remention() -> None:
    quoted = quote_markdown(author_label="Verified clinician", body="thanks @bob")
    assert quoted.startswith("> **Verified clinician:**")
    assert mentioned_names(quoted) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS[:10])
def test_it_serves_pages_with_payloads_inert(payload: str, member_factory, client_for) -> None:
    author = seasoned(member_factory(verified=True))
    topic = make_topic(author, title=f"Title {payload}", body=payload)
    html = client_for(member_factory(verified=True)).get(reverse("forums:topic", kwargs={"pk": topic.pk})).content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert _problems(main) == [], main
