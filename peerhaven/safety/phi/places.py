"""Geographic identifiers smaller than a state: street lines, towns, counties, ZIP codes.

States and countries are never flagged (the Safe Harbor rule keeps them); a town is flagged
when the gazetteer knows it and the sentence uses it as a place, or when its shape or its
context says it is a place even though the gazetteer has never heard of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerhaven.safety.phi.findings import Candidate
from peerhaven.safety.phi.lexicon import (
    EPONYMS,
    US_STATE_ABBR,
    cities,
    person_names,
    regions,
    word_zipf,
)

P_GEO_SHAPE = 58  # street lines, ZIP codes, "X County": shapes no name detector competes with
P_GEO_TOWN = 45  # a gazetteer or context guess; beats a bare name guess for the same word

_CAP = r"[A-Z][\w'’.-]*"
_CAPWORD = r"[A-Z][^\W\d_]+(?:['’-][^\W\d_]+)*"
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Circle|Cir|Way|"
    r"Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Loop|Row|Square|Sq|Crescent|"
    r"Close|Alley|Pike|Path|Commons|Plaza|Walk|Grove|Gardens|Heights|Hollow|Run|Ridge|Point"
)
STREET = re.compile(
    r"(?<![\w/.-])\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?:[NSEW]\.?\s+)?(?:" + _CAP + r"\s+){0,3}"
    r"(?:" + _STREET_TYPES + r")\b(?:\.(?=\s*[,;]|\s+[a-z]))?"
    r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|Fl|Floor)\.?\s*#?\s*[\w-]+|\s+#\s*[\w-]+)?"
    r"|(?<![\w/.-])\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:\d{1,3}(?:st|nd|rd|th))\s+(?:" + _STREET_TYPES + r")\b"
)
PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s+)?Box\s+\d{1,6}\b")
ZIP = re.compile(r"(?<![\w$.,-])\d{5}(?:-\d{4})?(?![\w-])")
ZIP_CUE = re.compile(r"(?:\bzip(?:\s*code)?|\bpostal\s+code|\bpostcode)\b[^.\d\n]{0,20}$", re.IGNORECASE)
COUNTY = re.compile(r"\b((?:" + _CAPWORD + r"\s+){1,3})(County|Parish|Borough|Township)\b")
# Invented towns ("Harlow Springs", "Port Ainsley") have a place-name shape.
TOWN_SUFFIX = re.compile(
    r"\b(" + _CAPWORD + r"(?:\s+" + _CAPWORD + r")?)\s+(Falls|Springs|Heights|Hills|Valley|Creek|"
    r"Harbor|Harbour|Beach|Ridge|Lake|Bay|Mills|Junction|Crossing|Grove|Village|Glen|Hollow|"
    r"Landing|Bluffs|Gardens|Township|City|Station|Ford|Forks|Rapids|Shores|Cove|Meadows|Pines)\b"
)
TOWN_PREFIX = re.compile(
    r"\b(Port|Fort|Ft\.|Mount|Mt\.|Lake|San|Santa|St\.|Saint|Los|Las|El|New|North|South|East|"
    r"West|Upper|Lower|Glen|Cape)\s+(" + _CAPWORD + r"(?:\s+" + _CAPWORD + r")?)"
)
TOWN_CUE = re.compile(
    r"\b(?:town|city|village|hometown|home\s+town|neighbou?rhood|suburb|borough|county|township|"
    r"lives|living|lived|moved|moving|relocat\w+|grew\s+up|raised|stay(?:ing|s|ed)?|live|"
    r"commutes?|drives?|drove)\s+(?:(?:is|was|of|in|to|called|named|back\s+to|out\s+in|"
    r"out\s+to|up\s+in|down\s+in|near|outside(?:\s+of)?|the)\s+){0,3}\(?$",
    re.IGNORECASE,
)
LOCATIVE = re.compile(r"\b(?:in|from|near|outside(?:\s+of)?|around|to|toward|towards|at|of|across|through|into|between)\s+$", re.IGNORECASE)
NEIGHBOURHOOD = re.compile(r"\b(" + _CAPWORD + r"(?:\s+" + _CAPWORD + r"){0,2})\s+(?:neighbou?rhood|district|area|side\s+of\s+town)\b")
STATE_AFTER = re.compile(r"^,?\s+(?P<state>[A-Z]{2}\b|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
CAP_RUN = re.compile(_CAPWORD + r"(?:\s+" + _CAPWORD + r"){0,3}")

_NOT_PLACE_WORDS = frozenset(
    "The A An I My Our Your Their His Her This That Client Dr Mr Ms Mrs It We They He She "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December Christmas Easter Zoom Google".split()
)


def _state_follows(text: str, end: int) -> bool:
    m = STATE_AFTER.match(text[end:end + 30])
    if not m:
        return False
    state = m.group("state")
    return state in US_STATE_ABBR or state in regions()


def _place_like(phrase: str) -> bool:
    words = phrase.split()
    if not words or phrase in regions() or words[0] in _NOT_PLACE_WORDS:
        return False
    if any(w.removesuffix("'s").removesuffix("’s") in EPONYMS for w in words):
        return False
    return True


def _streets_and_codes(text: str) -> Iterator[Candidate]:
    for m in STREET.finditer(text):
        end = m.end()
        while text[end - 1] in ".,":
            end -= 1
        yield Candidate(m.start(), end, "geo", P_GEO_SHAPE)
    for m in PO_BOX.finditer(text):
        yield Candidate(m.start(), m.end(), "geo", P_GEO_SHAPE)
    for m in ZIP.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        state_before = re.search(r"(?:\b[A-Z]{2}|[A-Z][a-z]+)\s*,?\s+$", before)
        state_word = state_before.group(0).strip(" ,") if state_before else ""
        state_ok = state_word in US_STATE_ABBR or state_word in regions()
        if state_ok or ZIP_CUE.search(before) or "-" in m.group(0):
            yield Candidate(m.start(), m.end(), "geo", P_GEO_SHAPE)
    for m in COUNTY.finditer(text):
        phrase = m.group(1).strip()
        words = phrase.split()
        # "in Corwin County" → keep only the tail of capitalised words that is the name.
        while words and (words[0] in _NOT_PLACE_WORDS or word_zipf(words[0]) >= 5.0):
            words = words[1:]
        if not words:
            continue
        start = m.start(2) - len(" ".join(words)) - 1
        yield Candidate(start, m.end(), "geo", P_GEO_SHAPE)


def _towns(text: str) -> Iterator[Candidate]:
    first_names, _ = person_names()
    for pattern in (TOWN_SUFFIX, TOWN_PREFIX):
        for m in pattern.finditer(text):
            phrase = m.group(0)
            core = m.group(1) if pattern is TOWN_SUFFIX else m.group(2)
            if not _place_like(phrase) or phrase in regions():
                continue
            # "Safe Harbor", "New Year": the non-affix word is an everyday English word.
            if all(word_zipf(w) >= 4.0 for w in core.split()) and phrase not in cities():
                continue
            # A place-name shape outranks a cued name guess for the same words.
            yield Candidate(m.start(), m.end(), "geo", P_GEO_TOWN + 7)
    for m in NEIGHBOURHOOD.finditer(text):
        phrase = m.group(1)
        if _place_like(phrase) and all(word_zipf(w) < 4.5 for w in phrase.split()):
            yield Candidate(m.start(1), m.end(1), "geo", P_GEO_TOWN)
    known = cities()
    for m in CAP_RUN.finditer(text):
        # A possessive ("Linehan's manual") belongs to a person or a book, not a town.
        if text[m.end():m.end() + 1] in ("'", "’") or m.group(0).endswith(("'s", "’s")):
            continue
        words = m.group(0).split()
        # Longest run of capitalised words that the gazetteer knows, from the left.
        for n in range(len(words), 0, -1):
            phrase = " ".join(words[:n])
            if phrase in regions() or not _place_like(phrase):
                continue
            start = m.start()
            end = start + len(phrase)
            before = text[max(0, start - 40):start]
            cue_town = bool(TOWN_CUE.search(before))
            state = _state_follows(text, end)
            locative = LOCATIVE.search(before)
            if phrase not in known:
                # Unknown to the gazetteer: only a strong town context makes it a place.
                if (cue_town or state) and n == len(words) and all(word_zipf(w) < 4.0 for w in words):
                    yield Candidate(start, end, "geo", P_GEO_TOWN - 1)
                    break
                continue
            common = all(word_zipf(w) >= 4.0 for w in words[:n])
            personal = n == 1 and phrase in first_names
            if state or cue_town:
                yield Candidate(start, end, "geo", P_GEO_TOWN)
            elif locative and not common:
                prep = locative.group(0).strip().lower()
                # "spoke to Austin", "a friend of Florence": people take these prepositions too.
                if personal and prep in {"to", "at", "of", "with", "between"}:
                    break
                yield Candidate(start, end, "geo", P_GEO_TOWN)
            break


def place_candidates(text: str) -> list[Candidate]:
    return [*_streets_and_codes(text), *_towns(text)]
