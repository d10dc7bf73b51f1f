"""Forum Markdown: markdown-it-py renders (raw HTML off), nh3 sanitises with an allow-list, so a
post's cached HTML is safe to insert into a page. Also the two text helpers the editor needs:
@mentions found in a body, and the quote block for replying to a post (author LABEL only)."""

from __future__ import annotations

import re
from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Images may only come from the forum's own authorised image view (see views.posting.image).
IMAGE_PATH_PREFIX = "/community/images/"
_IMAGE_SRC = re.compile(r"^/community/images/[0-9a-f]{32}/$")

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"

MENTION = re.compile(r"(?<![\w@/\\])@([A-Za-z0-9][A-Za-z0-9_.\-]{1,39})")


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off: raw HTML in the source is shown as text, never passed through.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    return parser


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _IMAGE_SRC.match(value) else None
    if tag == "a" and attribute == "href" and value.startswith("//"):
        # Scheme-relative links would leave the site without an explicit scheme.
        return None
    return value


def _shift_headings(html: str) -> str:
    # A post sits under the page's h1/h2: its own headings start at h3.
    return re.sub(r"<(/?)h([12])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}>", html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown source → sanitised HTML."""
    return sanitise_html(_shift_headings(_parser().render(source or "")))


def mentioned_names(source: str) -> list[str]:
    """The @names in a body, lower-cased, each once, in order (code spans included: cheap and
    harmless, a mention only notifies a member who can read the topic)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(source or ""):
        seen.setdefault(match.group(1).rstrip(".-").lower(), None)
    return list(seen)


def quote_markdown(*, author_label: str, body: str, limit: int = 1200) -> str:
    """A Markdown blockquote of `body` headed by the author's LABEL (never who wrote an anonymous
    post: callers pass policies.posting.post_author_label)."""
    text = (body or "").strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    # A heading-only label line, then the quoted lines; "@" is escaped so quoting a post never
    # re-mentions the people it mentioned.
    label = author_label.replace("@", "\\@").replace("*", "\\*")
    lines = [f"> **{label}:**", ">"]
    escaped = text.replace("@", "\\@")
    lines += [f"> {line}" if line else ">" for line in escaped.splitlines()]
    return "\n".join(lines) + "\n\n"


def post_html(rendered_html: str) -> SafeString:
    """The cached HTML of a post, ready for a template. It was sanitised when written; it is
    sanitised again here (nh3 is fast: microseconds a post) so that a row written by any other
    path, or an allow-list tightened since, can never put unsafe markup on a page."""
    return mark_safe(sanitise_html(rendered_html or ""))  # noqa: S308 - nh3 allow-list output
