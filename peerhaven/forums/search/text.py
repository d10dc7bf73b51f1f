"""Pure text helpers for search: turning what a member typed into a safe query for each
backend, and turning a backend's highlighted snippet into HTML with everything escaped but
the highlight marks."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Marks:
    """Highlight delimiters for one search: the database wraps matches in them, and
    `snippet_html` turns each pair into <mark>…</mark> after escaping everything else. They
    carry a random nonce, so nothing a member writes in a post can pose as a highlight."""

    start: str
    end: str

    @classmethod
    def fresh(cls) -> Marks:
        nonce = secrets.token_hex(8)
        return cls(start=f"\ue000{nonce}\ue001", end=f"\ue002{nonce}\ue003")


_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
MAX_QUERY_LENGTH = 200


def query_terms(query: str) -> list[str]:
    """The words of a search, normalised (NFKC, lower case, as both backends fold case), at most MAX_TERMS. Operators and
    punctuation are dropped: a search is "all of these words"."""
    normalised = unicodedata.normalize("NFKC", query[:MAX_QUERY_LENGTH]).lower()
    terms: list[str] = []
    for word in _WORD.findall(normalised):
        if word not in terms:
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


def snippet_html(snippet: str, marks: Marks) -> SafeString:
    """Escape the whole snippet, then turn each delimited match into <mark>. An unpaired
    delimiter is dropped."""
    marked = re.compile(re.escape(marks.start) + "(.*?)" + re.escape(marks.end), re.DOTALL)
    parts: list[str] = []
    position = 0
    for match in marked.finditer(snippet):
        parts.append(_clean(snippet[position:match.start()], marks))
        parts.append("<mark>" + _clean(match.group(1), marks) + "</mark>")
        position = match.end()
    parts.append(_clean(snippet[position:], marks))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of member text went through escape()


def _clean(text: str, marks: Marks) -> str:
    return str(escape(text.replace(marks.start, "").replace(marks.end, "")))
