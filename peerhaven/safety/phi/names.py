"""People's names: name lists from Faker's locales plus the cues clinicians write around names.

A capitalised word is a name when the lists know it as a first name (or a rare surname) and
nothing marks it as a theorist, a weekday, a brand or an ordinary word; an unknown word is a
name when the sentence says so ("my client Adaeze", "Dr. Okafor", "her husband, Tomasz").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from peerhaven.safety.phi.findings import Candidate
from peerhaven.safety.phi.lexicon import (
    ALWAYS_WORDS,
    EPONYMS,
    HOMOGRAPHS,
    person_names,
    regions,
    word_zipf,
)

P_NAME_CUED = 50
P_NAME = 40

TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Miss|Prof|Professor|Rev|Fr|Sr|Nurse|Officer|Judge|Attorney|Coach|Pastor|Rabbi|Imam)\.?\s+$")
RELATION = (
    r"client|patient|clients|son|daughter|husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|"
    r"ex|ex-husband|ex-wife|ex-partner|mother|father|mom|mum|dad|stepmother|stepfather|stepmom|"
    r"stepdad|brother|sister|sibling|twin|cousin|aunt|uncle|niece|nephew|grandmother|grandfather|"
    r"grandma|grandpa|grandson|granddaughter|grandchild|child|kid|baby|toddler|teen|friend|"
    r"roommate|neighbou?r|boss|manager|supervisor|supervisee|coworker|co-worker|colleague|"
    r"employer|landlord|teacher|coach|pastor|sponsor|caseworker|worker|attorney|lawyer|"
    r"guardian|caregiver|aide|nurse|pharmacist|psychiatrist|therapist|counsell?or|doctor|"
    r"physician|resident|student|intern|trainee|spouse|parent|stepson|stepdaughter|foster|"
    r"in-law|mother-in-law|father-in-law|associate|assistant|receptionist|biller|officer|"
    r"detective|judge|advocate|volunteer|mentee|mentor|person|man|woman|boy|girl|name"
)
CUE_BEFORE = re.compile(
    r"(?:\b(?:" + RELATION + r")(?:['’]s)?,?|\b(?:named|called|nicknamed|name\s+is|goes\s+by|"
    r"known\s+as|(?:her|his|their|my)\s+name,?)|\b\d{1,2}-year-old)\s+$",
    re.IGNORECASE,
)
PERSONAL_VERB = (
    r"says|said|came|comes|told|tells|asked|asks|wants|wanted|texted|emailed|turned|turns|"
    r"lives|lived|moved|cried|laughed|refuses|refused|disclosed|admitted|denied|agreed|"
    r"missed|arrived|thinks|thought|feels|felt|knows|knew|hasn't|isn't|wasn't|doesn't|didn't|"
    r"won't|can't|reported|mentioned|showed|brought|sent|started|stopped|keeps|kept|works|"
    r"worked|gets|got|called|calls|left|cancel(?:l)?ed|finally|just|still|also|never|always"
)
PERSONAL_AFTER = re.compile(r"^\s+(?:" + PERSONAL_VERB + r")\b|^\s*\((?:\d|the\s+client|age|aged)")
VERB_AFTER = re.compile(
    r"^(?:\s*\(|\s*,\s+(?:a|an|who|my|her|his|age|aged)\b|\s+(?:is|was|has|had|says|said|"
    r"came|comes|told|tells|asked|asks|wants|wanted|called|calls|reported|reports|texted|"
    r"emailed|mentioned|showed|brought|sent|lives|lived|moved|started|stopped|keeps|kept|"
    r"seems|seemed|feels|felt|thinks|thought|knows|knew|works|worked|gets|got|refuses|refused|"
    r"hasn't|isn't|wasn't|doesn't|didn't|won't|can't|will|would|and\s+I|and\s+her|and\s+his|"
    r"agreed|disclosed|admitted|denied|missed|cancel(?:l)?ed|left|arrived|cried|laughed|"
    r"finally|just|still|also|never|always|often|recently)\b)",
)
RELATION_AFTER = re.compile(r"^['’]s\s+(?:" + RELATION + r"|records?|chart|file|case|session|sessions|notes?|family|mother|father|care)\b", re.IGNORECASE)
ORG_AFTER = re.compile(
    r"^(?:['’]s\s+)?\s*(?:Act|Law|Laws|Scale|Inventory|Syndrome|Disease|Disorder|Hospital|Clinic|"
    r"Center|Centre|University|College|School|Institute|Foundation|Program|Programme|Method|"
    r"Model|Test|Therapy|Hall|House|Health|Medical|Behavioral|Behavioural|Services|Group|"
    r"Associates|Partners|Street|St|Avenue|Ave|Road|Rd|Lane|Drive|Boulevard|Blvd|Way|Court|"
    r"Church|Library|Park|Prize|Award|Foundation|Company|Inc|LLC|Corp|Bank|Insurance|"
    r"disease|syndrome|disorder|scale|model|law|stages|hierarchy|theory|test|criteria|method)\b"
)
THIRD_PERSON = re.compile(r"^\s+[a-z]+(?:s|ed)\b(?<!ss)(?<!ness)(?<!less)")
TITLE_WORD = re.compile(r"Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Fr|Sr|Jr")
CONTRACTION = re.compile(r"['’](?:ve|m|ll|d|re|t)$", re.IGNORECASE)
PARTICLE = frozenset({"van", "von", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "al", "ibn", "ten", "ter"})
_SENTENCE_END = re.compile(r"(?:^|[.!?:;|\n]|[.!?]['\")\]])\s*['\"(\[]?\s*$")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    word: str
    initial: bool


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in TOKEN.finditer(text):
        word = m.group(0)
        end = m.end()
        if word[-2:] in ("'s", "’s") and len(word) > 3:
            word = word[:-2]
            end -= 2
        if CONTRACTION.search(word):
            continue
        out.append(_Token(m.start(), end, word, bool(_SENTENCE_END.search(text[max(0, m.start() - 4):m.start()]))))
    return out


def _capitalised(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word)


def _never_a_name(word: str) -> bool:
    if word in EPONYMS or word in regions():
        return True
    return word in ALWAYS_WORDS and word not in HOMOGRAPHS


def _known(word: str) -> bool:
    """Listed as a first name, or a surname rare enough not to be an English word."""
    first, last = person_names()
    if word in first:
        return True
    return word in last and word_zipf(word) < 3.5


def _run_end(tokens: list[_Token], i: int, text: str) -> int:
    """Index after the capitalised words that continue a name starting at token i."""
    j = i + 1
    while j < len(tokens) and j - i < 4:
        gap = text[tokens[j - 1].end:tokens[j].start]
        if gap != " " or text[tokens[j - 1].end:tokens[j - 1].end + 1] in ("'", "’"):
            break
        word = tokens[j].word
        if word.lower() in PARTICLE and j + 1 < len(tokens) and _capitalised(tokens[j + 1].word):
            j += 1
            continue
        if not _capitalised(word) or _never_a_name(word) or word in HOMOGRAPHS and not _known(word):
            break
        if ORG_AFTER.match(text[tokens[j].start:]):
            break
        j += 1
    return j


def name_candidates(text: str) -> list[Candidate]:
    return list(_names(text))


def _names(text: str) -> Iterator[Candidate]:
    tokens = _tokens(text)
    first_names, _ = person_names()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        word = tok.word
        # The context regexes are the costly part, so they run only for plausible words.
        if not _capitalised(word):
            # Lower-case names ("a client, ingrid, who") only with a personal cue before them.
            if (
                word.islower()
                and word.capitalize() in first_names
                and word_zipf(word) < 3.5
                and CUE_BEFORE.search(text[max(0, tok.start - 40):tok.start])
            ):
                yield Candidate(tok.start, tok.end, "name", P_NAME_CUED)
            i += 1
            continue
        before = text[max(0, tok.start - 40):tok.start]
        titled = bool(TITLE.search(before))
        cued = titled or bool(CUE_BEFORE.search(before))
        if (_never_a_name(word) and not titled) or TITLE_WORD.fullmatch(word):
            i += 1
            continue
        # Inside a title-case phrase ("Crisis Text Line", "Safe Harbor") the words name a
        # service or a rule, not a person.
        if i and text[tokens[i - 1].end:tok.start] == " " and _capitalised(tokens[i - 1].word) and _never_a_name(tokens[i - 1].word) and not tokens[i - 1].initial and not titled:
            i = _run_end(tokens, i, text)
            continue
        end_index = _run_end(tokens, i, text)
        span_end = tokens[end_index - 1].end
        after = text[span_end:span_end + 40]
        if ORG_AFTER.match(after) and not titled:
            i = end_index
            continue
        verb_after = bool(VERB_AFTER.match(after)) or bool(RELATION_AFTER.match(after))
        multi = end_index - i > 1
        known = _known(word) or any(_known(t.word) and t.word not in HOMOGRAPHS for t in tokens[i + 1:end_index])
        common = word in HOMOGRAPHS or word_zipf(word) >= 4.3
        if titled or cued:
            is_name = True
        elif not known:
            # Unknown to the lists ("Mei turned 98"): a rare word doing what people do.
            is_name = word_zipf(word) < 3.0 and bool(PERSONAL_AFTER.match(after))
        elif tok.initial:
            # Start of a sentence: "Keisha is 14" yes, "Frank question" and "Meta question" no.
            is_name = (
                (not common and word_zipf(word) < 3.0)
                or verb_after
                # "Abigail holds a certificate": a third-person verb follows a listed name.
                or (not common and bool(THIRD_PERSON.match(after)))
                or (multi and not all(word_zipf(t.word) >= 4.3 for t in tokens[i:end_index]))
            )
        else:
            # Mid-sentence capitals are deliberate: "Grace" there names someone.
            is_name = True
        if is_name:
            yield Candidate(tok.start, span_end, "name", P_NAME_CUED if (titled or cued) else P_NAME + multi * 2)
        i = end_index
