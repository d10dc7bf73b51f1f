"""Pure text helpers for search: turning what a member typed into a safe query for each
backend, and turning a backend's highlighted snippet into HTML with everything escaped but
the highlight marks."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Private-use characters as highlight delimiters: the database wraps matches in them, and
# `snippet_html` turns each balanced pair into <mark>…</mark> after escaping the rest. A
# member who types these characters gains nothing: unpaired ones are dropped.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
MAX_QUERY_LENGTH = 200


def query_terms(query: str) -> list[str]:
    """The words of a search, normalised (NFKC, lower case, as both backends fold case), at most MAX_TERMS. Operators and
    punctuation are dropped: a search is "all of these words"."""
    normalised = unicodedata.normalize("NFKC", query[:MAX_QUERY_LENGTH]).lower()
    terms: list[str] = []
    for word in _WORD.findall(normalised):
        word = word.replace("\ue000", "").replace("\ue001", "")
        if word and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term quoted as a string (so nothing the member typed is
    read as FTS5 syntax), joined with AND."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery('simple', …) argument: each term quoted as a lexeme, joined with &. Passed as a
    bound parameter; the quoting keeps to_tsquery from reading operators in it."""
    return " & ".join("'" + term.replace("'", "''").replace("\\", "\\\\") + "'" for term in terms)


def snippet_html(snippet: str) -> SafeString:
    """Escape the whole snippet, then turn each delimited match into <mark>. Stray delimiters
    (an unpaired one, or one inside a match) are removed."""
    parts: list[str] = []
    position = 0
    for match in _MARKED.finditer(snippet):
        parts.append(_clean(snippet[position:match.start()]))
        parts.append("<mark>" + _clean(match.group(1)) + "</mark>")
        position = match.end()
    parts.append(_clean(snippet[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of member text went through escape()


def _clean(text: str) -> str:
    return str(escape(text.replace(MARK_START, "").replace(MARK_END, "")))
