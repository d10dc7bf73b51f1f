"""The topic page's list of posts, rendered in Python.

The same markup as a `{% for %}` over the rows in a template (forums/posting/topic.html used to
hold it), built with `escape` and a handful of translated strings looked up once per page: the
template engine spent more time per post than everything else on the page. Every value that
came from a member (labels, notes) is escaped here; the post's HTML is the stored, sanitised
HTML (markdown.post_html, a SafeString). Row dictionaries come from views.posting._decorate_posts.
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@functools.lru_cache(maxsize=16)
def _texts(language: str) -> dict[str, str]:
    # The same msgids as the template had (blocktranslate placeholders included), translated
    # once per language and process.
    del language  # part of the key: the strings below are in the active language
    return {
        "anonymous": _("anonymous"),
        "edited": _("edited"),
        "new": _("new"),
        "in_reply_to": _("in reply to %(name)s"),
        "deleted": _("This post was deleted."),
        "hidden": _("A moderator hid this post."),
        "blocked": _("This post is by a member you blocked or who blocked you."),
        "show_hidden": _("Hidden by a moderator (only moderators see it)"),
        "note_collapsed": _("Content note: %(note)s. Open to read."),
        "note_open": _("Content note: %(note)s"),
        "quote": _("Quote"),
        "bookmark": _("Bookmark"),
        "unbookmark": _("Remove bookmark"),
        "edit": _("Edit"),
        "history": _("Edit history"),
        "report": _("Report"),
        "post_n": _("post %(number)s"),
        "moderate": _("Moderate"),
    }


def _reactions(row: dict[str, Any], csrf_input: str) -> str:
    """As forums/posting/_reactions.html (which the htmx reaction answer still renders)."""
    post = row["post"]
    react = escape(row["urls"]["react"])
    buttons = "".join(
        f'<button type="submit" name="reaction" value="{escape(reaction["value"])}" class="{reaction["css"]}" '
        f'aria-pressed="{reaction["pressed"]}">{escape(reaction["label"])}'
        + (f' <span class="reaction-count">{int(reaction["count"])}</span>' if reaction["count"] else "")
        + "</button>\n"
        for reaction in row["reactions"]
    )
    return (
        f'<form method="post" action="{react}" class="reactions" id="reactions-{int(post.pk)}"\n'
        f'      hx-post="{react}" hx-target="this" hx-swap="outerHTML">{csrf_input}\n{buttons}</form>'
    )


def _body(row: dict[str, Any], texts: dict[str, str], note: str) -> str:
    html = str(row["html"])
    if not note:
        return f'<div class="post-body">{html}</div>'
    if row["collapsed"]:
        summary = escape(texts["note_collapsed"] % {"note": note})
        return (f'<details class="content-note">\n          <summary>{summary}</summary>\n'
                f'          <div class="post-body">{html}</div>\n        </details>')
    label = escape(texts["note_open"] % {"note": note})
    return f'<p class="content-note-label">{label}</p>\n        <div class="post-body">{html}</div>'


def post_items_html(rows: list[dict[str, Any]], *, may_reply: bool, is_moderator: bool, csrf_input: str,
                    note_labels: dict[str, str]) -> SafeString:
    """The `<li>` of every row. `csrf_input` is the page's hidden CSRF field (the same masked
    token in every form of the page, as `{% csrf_token %}` would give per form)."""
    texts = _texts(get_language())
    parts: list[str] = []
    for row in rows:
        post = row["post"]
        number = int(post.number)
        urls = row["urls"]
        head = [f'<a href="{escape(urls["permalink"])}">#{number}</a> ·\n        '
                f'<time datetime="{escape(row["created_iso"])}">{escape(row["created_display"])}</time>']
        if post.edited_at:
            head.append(f' · {escape(texts["edited"])}')
        if row["new"]:
            head.append(f' · <strong class="new-marker">{escape(texts["new"])}</strong>')
        if row["reply_label"]:
            head.append(f' · {escape(texts["in_reply_to"] % {"name": row["reply_label"]})}')
        anonymous = f' <span class="tag tag-verified">{escape(texts["anonymous"])}</span>' if row["anonymous"] else ""
        if row["deleted"]:
            content = f'<p class="muted">{escape(texts["deleted"])}</p>'
        elif row["hidden"] and not row["show_hidden"]:
            content = f'<p class="muted">{escape(texts["hidden"])}</p>'
        elif row["blocked"]:
            content = f'<p class="muted">{escape(texts["blocked"])}</p>'
        else:
            pieces = []
            if row["show_hidden"]:
                pieces.append(f'<p class="tag tag-warn">{escape(texts["show_hidden"])}</p>')
            pieces.append(_body(row, texts, note_labels.get(post.content_note, "") if post.content_note else ""))
            if not row["hidden"]:
                pieces.append(_reactions(row, csrf_input))
            which = escape(texts["post_n"] % {"number": number})
            actions = []
            if may_reply and not row["hidden"]:
                actions.append(f'<a href="?quote={int(post.pk)}#reply">{escape(texts["quote"])}</a>')
            bookmarked = bool(getattr(post, "bookmarked", False))
            actions.append(
                f'<form method="post" action="{escape(urls["bookmark"])}" class="inline-form">{csrf_input}\n'
                f'          <input type="hidden" name="on" value="{"0" if bookmarked else "1"}">\n'
                f'          <button type="submit" class="link-button">'
                f'{escape(texts["unbookmark"] if bookmarked else texts["bookmark"])}</button>\n        </form>'
            )
            if row["can_edit"]:
                actions.append(f'<a href="{escape(urls["edit"])}">{escape(texts["edit"])}</a>')
            if row["can_history"]:
                actions.append(f'<a href="{escape(urls["history"])}">{escape(texts["history"])}</a>')
            if not row["own"]:
                actions.append(f'<a href="{escape(urls["report"])}">{escape(texts["report"])}'
                               f'<span class="visually-hidden"> {which}</span></a>')
            if is_moderator:
                actions.append(f'<a href="{escape(urls["moderate"])}">{escape(texts["moderate"])}'
                               f'<span class="visually-hidden"> {which}</span></a>')
            pieces.append('<div class="post-actions">\n        ' + "\n        ".join(actions) + "\n      </div>")
            content = "\n      ".join(pieces)
        parts.append(
            f'  <li class="post card{" unread" if row["new"] else ""}" id="post-{number}">\n'
            f'  <article aria-labelledby="post-{number}-by">\n'
            f'    <header class="post-header">\n'
            f'      <h2 class="post-author" id="post-{number}-by">{escape(row["label"])}{anonymous}</h2>\n'
            f'      <p class="muted">{"".join(head)}</p>\n'
            f'    </header>\n'
            f'    {content}\n'
            f'  </article>\n'
            f'  </li>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every member value above is escaped
