"""Detectors for the structured identifiers: numbers, codes, addresses on the wire, dates, ages.

Each detector is a regular expression plus the context words that tell an identifier from the
clinical numbers that fill these posts (scores, doses, billing codes, statutes, versions).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from peerhaven.safety.phi.findings import Candidate
from peerhaven.safety.phi.lexicon import country_tlds

# Priorities: a shape that cannot be anything else beats a labelled number, which beats a
# date or an age, which beats the soft guesses (places, names) made elsewhere.
P_SHAPE = 90
P_LABELLED = 80
P_PHONE = 70
P_DATE = 60
P_AGE = 60

_GENERIC_TLDS = frozenset(
    "com org net edu gov mil int info biz io co me app dev blog site online store shop tech ai "
    "health care clinic life live news page link xyz club art design email space world today "
    "network social media help support org services solutions family law legal church".split()
)

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
URL_SCHEME = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
URL_BARE = re.compile(
    r"(?<![\w@./-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})"
    r"(?:/[^\s<>\"'()\[\]{}]*)?(?![\w@-])",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@./])(?:@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,29})|u/[A-Za-z0-9_-]{3,20})\b")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
MAC = re.compile(r"(?<![\w:-])[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])")
VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\b")

SSN_FORMATTED = re.compile(r"(?<![\d-])(\d{3})([- .]|\s{1,2})(\d{2})\2(\d{4})(?![\d-])")
SSN_BARE = re.compile(r"(?<![\d-])\d{9}(?![\d-])")
SSN_CUE = re.compile(r"\b(?:SSN|SS#|SSA|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?)", re.IGNORECASE)
SSN_PARTIAL = re.compile(
    r"\b(?:last|final)\s+(?:four|4)(?:\s+digits)?\s+of\s+(?:(?:her|his|their|my|your|the|a|"
    r"[A-Z][a-z]+['’]s)\s+)?(?:SSN|social(?:\s+security(?:\s+number)?)?)\b"
    r"(?:[^\S\n]*(?:\(|,|:|-|is|was|as|are|were|reads?)?[^\S\n]*(\d{4})\b)?",
    re.IGNORECASE,
)
SSN_ENDING = re.compile(r"\b(?:SSN|social(?:\s+security)?(?:\s+number)?)\s+ending\s+(?:in\s+)?(\d{4})\b", re.IGNORECASE)

PHONE_NANP = re.compile(
    r"(?<![\w+-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
    r"(?:\s*(?:ext\.?|x|extension)\s*\d{1,5})?(?![\w-])",
    re.IGNORECASE,
)
PHONE_INTL = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?:\s*(?:ext\.?|x)\s*\d{1,5})?(?![\w-])",
    re.IGNORECASE,
)
PHONE_BARE = re.compile(r"(?<![\w+-])\d{10}(?![\w-])")
PHONE_CUE = re.compile(r"\b(?:phone|cell|mobile|call(?:ed|s)?|text(?:ed|s)?|number|line|tel|voicemail|reach)\b", re.IGNORECASE)
FAX_CUE = re.compile(r"\bfax(?:ed|es)?\b", re.IGNORECASE)

# A labelled identifier: the label, then a short gap of filler words, then the value.
_ID_VALUE = (
    r"(?P<value>(?-i:(?=[A-Z0-9-]*\d)[A-Z0-9](?:[A-Z0-9]|[-./](?=[A-Z0-9]))*"
    r"(?:\s(?:\d+|[A-Z]{2,4}\d*|\d+[A-Z]+\d*)(?![a-z]))*"
    r"|(?=[A-Z0-9 ]*\d)[A-Z0-9]{1,4}(?:\s[A-Z0-9]{2,5}){1,3}(?!\w)))"
)
_GAP = r"(?:[^\S\n]|[:#(,]|no\.|like\b|e\.g\.|such\s+as\b|nos?\b|num(?:ber)?s?\b|ID\b|id\b|is\b|was\b|as\b|of\b|reads?\b|listed\b|shows?\b|on\b|file\b|the\b|his\b|her\b|their\b|printed\b|=)*?"
LABELS: tuple[tuple[str, str], ...] = (
    ("mrn", r"MRN|MR#|medical[-\s]record|chart|record\s+(?:no\.?|number|#)|patient\s+ID|hospital\s+(?:ID|number|no\.?)|encounter\s+(?:ID|number)"),
    ("health_plan", r"member(?:ship)?|policy|subscriber|beneficiary|Medicaid|Medicare|Medi-Cal|insurance\s+(?:ID|card|number)|plan\s+(?:ID|number)|group\s+(?:number|no\.?|#)|HICN|MBI|Tricare"),
    ("account", r"account|acct\.?|a/c|card|routing|IBAN|billing\s+(?:ID|number|no\.?)|invoice|loan|check(?:ing)?|savings"),
    ("licence", r"licen[cs]e|DL|NPI|DEA|certificat(?:e|ion)|registration|permit|cert\.?"),
    ("vehicle", r"plates?|licen[cs]e\s+plates?|tags?|VIN|registration\s+plate"),
    ("device", r"serial|S/N|SN|IMEI|IMSI|MEID|device\s+(?:ID|number)|unit|model\s+and\s+serial|pump|implant|pacemaker|monitor\s+(?:ID|number)"),
    (
        "other_id",
        r"docket|case|claim|student|employee|staff|inmate|booking|passport|badge|military|DoD|"
        r"service\s+number|confirmation|ticket|reference|ref\.?|court|file|ID|identification|"
        r"order|warrant|citation|probation|parole|A-number|alien|visa|green\s+card|EDIPI|"
        r"tracking",
    ),
)
LABELLED = re.compile(
    r"\b(?P<label>" + "|".join(f"(?P<{cat}>{pattern})" for cat, pattern in LABELS) + r")"
    r"(?:['’]s)?\b" + _GAP + r"(?<![\w-])" + _ID_VALUE + r"(?![\w-])",
    re.IGNORECASE,
)
ENDING_IN = re.compile(
    r"\b(?:ending|ends)\s+(?:in|with)\s+(?P<value>\d{4})\b|\b(?:last|final)\s+(?:four|4)(?:\s+digits)?"
    r"\s+(?:of\s+\S+\s+)?(?:are|were|is|:)?\s*(?P<value2>\d{4})\b",
    re.IGNORECASE,
)
# A few clinical codes look like IDs; they are never identifiers.
NOT_AN_ID = re.compile(
    r"^(?:[A-Z]\d{2}(?:\.\d{1,4})?|\d{5}|(?:19|20)\d{2}|\d{1,3}|PHQ-?\d+|GAD-?\d+|PCL-?\d+|"
    r"DSM-?\d.*|ICD-?\d+.*|CPT|\d+(?:\.\d+)+|[A-Z]{1,5}-\d{1,2}|\d{1,2}[A-Z]|COVID-19|\d+(?:mg|ml|h|m|s))$",
    re.IGNORECASE,
)

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Only an abbreviation takes a full stop, so "on the 3rd of February." ends before the period.
_MONTH = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)(?![a-z])"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|rsday|urday)?\.?,?\s+)"
_YEAR = r"(?:1[89]\d{2}|20\d{2})"
DATE_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    # 2023-10-18, 1945-06-14
    (re.compile(r"(?<![\w-])" + _YEAR + r"-(?:0?[1-9]|1[0-2])-(?:[12]\d|3[01]|0?[1-9])(?![\w-])"), True),
    # 10/18/2023, 9-24-23, 18.10.2023
    (re.compile(r"(?<![\w/.-])(?:[12]\d|3[01]|0?[1-9])([/.-])(?:[12]\d|3[01]|0?[1-9])\1(?:\d{4}|\d{2})(?![\w/-]|\.\d)"), True),
    # Fri Jul 4, June 23, 2021, Aug. 28th, March 19th
    (re.compile(r"(?<![\w-])" + _WEEKDAY + r"?" + _MONTH + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?(?![\w-])", re.IGNORECASE), False),
    # the 3rd of February, 14 March 2021
    (re.compile(r"(?<![\w-])(?:(?:the|on)\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?(?![\w-])", re.IGNORECASE), False),
    # October 2022, Oct. of 2022
    (re.compile(r"(?<![\w-])" + _MONTH + r"\s+(?:of\s+)?" + _YEAR + r"(?![\w-])", re.IGNORECASE), False),
    # 09/2022
    (re.compile(r"(?<![\w/.-])(?:0?[1-9]|1[0-2])/" + _YEAR + r"(?![\w/-])"), False),
)
DAY_ALONE = re.compile(
    r"\b(?:[Tt]he|on\s+the)\s+(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b(?!\s*(?:-|of\s+(?!" + _MONTHS + r")|"
    r"[a-z]+(?<!and)(?<!or)(?<!but)(?<!then)(?<!at)(?<!when)(?<!so)(?<!because)(?<!to)(?<!for)\b))",
)
LOWER_MAY = re.compile(r"(?:the\s+|on\s+)?(?:\d+\w*\s+(?:of\s+)?)?may\b")
ENDS_IN_YEAR = re.compile(_YEAR + r"$|\d{2}$")
MONTH_SLASH_YEAR = re.compile(r"(?:0?[1-9]|1[0-2])/\d{4}")
WEEKDAY_DAY = re.compile(
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s+the\s+(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b"
)
DOB = re.compile(r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on)?)\b[:\s,]*(?:is\s+|was\s+|as\s+)?", re.IGNORECASE)

_NUMBER_WORDS_90 = (
    r"(?:ninety(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|one\s+hundred(?:\s+and)?"
    r"(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))?|a\s+hundred)"
)
_AGE_NUMBER = r"(?:9\d|1[01]\d|" + _NUMBER_WORDS_90 + r")"
AGE_PHRASE = re.compile(
    r"(?<![\w-])" + _AGE_NUMBER + r"(?:[-\s]years?[-\s]old|[-\s]yr?s?[-\s]old|\s+years?\s+of\s+age|\s*y/?o\b|[-\s]year[-\s]old)",
    re.IGNORECASE,
)
AGE_CUE = re.compile(
    r"\b(?:aged?|turn(?:ed|s|ing)|(?:she|he|they)\s+(?:is|was)|(?:she|he)['’]s|who\s+is|now|age\s+of)\s+(?P<age>"
    + _AGE_NUMBER
    + r")(?!\s*(?:%|percent|minutes?|mins?|hours?|days?|weeks?|months?|mg|ml|sessions?|times|clients|people|dollars|\$|[-/]))(?![\w])",
    re.IGNORECASE,
)
AGE_BRACKET = re.compile(r"(?<=[A-Za-z])\s\((?P<age>9\d|1[01]\d)\)")

_BIOMETRIC_TERMS = (
    r"(?:finger\s?prints?|thumb\s?prints?|voice\s?prints?|palm[-\s]?(?:vein\s+)?(?:scans?|prints?)|"
    r"retina(?:l)?\s+scans?|iris\s+scans?|face\s?prints?|facial\s+(?:scans?|geometry|templates?)|"
    r"hand\s+geometry|gait\s+signatures?|vein\s+scans?)"
)
BIOMETRIC_TERM = re.compile(r"\b" + _BIOMETRIC_TERMS + r"\b(?!\s+(?:scanners?|readers?|machines?|checks?|background|clearance|cards?))", re.IGNORECASE)
# "Tied to a person": the sentence is about someone (a pronoun, a client, a name).
PERSON_IN_SENTENCE = re.compile(r"\b(?:he|she|they|him|her|his|their|client|patient|employees?|[A-Z][a-z]+['’]s)\b")
BIOMETRIC = re.compile(
    r"\b(?:her|his|their|my|your|our|[A-Z][a-z]+['’]s|\w+s['’])\s+(?:(?:own|new|enrolled|stored|saved|\w+)\s+)?"
    r"(?P<value>(?:finger\s?prints?|thumb\s?prints?|voice\s?prints?|palm[-\s]?(?:vein\s+)?(?:scans?|prints?)|"
    r"retina(?:l)?\s+scans?|iris\s+scans?|face\s?prints?|facial\s+(?:scans?|geometry|template|recognition\s+(?:data|template|scan))|"
    r"hand\s+geometry|DNA\s+(?:profile|sample|results?)|gait\s+signature|vein\s+scans?))",
)


def _tld_ok(tld: str) -> bool:
    tld = tld.lower()
    return tld in _GENERIC_TLDS or tld in country_tlds()


def _prefix(text: str, start: int, width: int) -> str:
    """The text before `start` within the same sentence, at most `width` characters."""
    window = text[max(0, start - width):start]
    cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "), window.rfind("\n"))
    return window[cut + 1:] if cut >= 0 else window


def _web(text: str) -> Iterator[Candidate]:
    for m in EMAIL.finditer(text):
        yield Candidate(m.start(), m.end(), "email", P_SHAPE + 5)
    for m in URL_SCHEME.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?'\"":
            end -= 1
        yield Candidate(m.start(), end, "url", P_SHAPE + 4)
    for m in URL_BARE.finditer(text):
        host = m.group(0).split("/")[0]
        if not _tld_ok(m.group(1)) or "." not in host:
            continue
        labels = host.lower().removeprefix("www.").split(".")
        # "e.g", "i.e", "a.m" and file names ("notes.pdf" has no valid TLD) are not sites.
        if len(labels[0]) < 2 or (len(labels) == 2 and m.group(1).lower() not in _GENERIC_TLDS and not host.lower().startswith("www.")):
            continue
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?'\"":
            end -= 1
        yield Candidate(m.start(), end, "url", P_SHAPE + 3)
    for m in HANDLE.finditer(text):
        yield Candidate(m.start(), m.end(), "other_id", P_SHAPE)


def _network(text: str) -> Iterator[Candidate]:
    for m in MAC.finditer(text):
        yield Candidate(m.start(), m.end(), "device", P_SHAPE + 2)
    for m in IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group(0))
        except ValueError:
            continue
        before = _prefix(text, m.start(), 40).lower()
        octets = [int(o) for o in m.group(0).split(".")]
        # Software versions ("11.3.0.2") share the dotted-quad shape; they have small parts
        # and version words around them, addresses usually do not.
        if re.search(r"\b(?:version|v|ver|build|release|update|firmware|ios|android|app|patch)\b\.?\s*$", before):
            continue
        if all(o < 20 for o in octets) and not re.search(r"\bip\b|address|router|server|host", before):
            continue
        yield Candidate(m.start(), m.end(), "ip", P_SHAPE + 1)
    for m in IPV6.finditer(text):
        try:
            ipaddress.IPv6Address(m.group(0))
        except ValueError:
            continue
        if m.group(0).count(":") < 3:
            continue
        yield Candidate(m.start(), m.end(), "ip", P_SHAPE + 1)
    for m in VIN.finditer(text):
        yield Candidate(m.start(), m.end(), "vehicle", P_SHAPE)


def _ssn(text: str) -> Iterator[Candidate]:
    for m in SSN_FORMATTED.finditer(text):
        area = int(m.group(1))
        if area == 0 or area == 666 or area >= 900:
            continue
        cue = SSN_CUE.search(_prefix(text, m.start(), 60))
        # Dashed 3-2-4 is the SSN's own shape; spaced or dotted needs the word nearby.
        if m.group(2) == "-" or cue:
            yield Candidate(m.start(), m.end(), "ssn", P_SHAPE + 2)
    for m in SSN_BARE.finditer(text):
        if SSN_CUE.search(_prefix(text, m.start(), 40)):
            yield Candidate(m.start(), m.end(), "ssn", P_SHAPE + 2)
    for m in SSN_PARTIAL.finditer(text):
        if m.group(1):
            yield Candidate(m.start(1), m.end(1), "ssn", P_SHAPE + 2)
        else:
            # No digits given: the phrase itself discloses part of the number.
            yield Candidate(m.start(), m.end(), "ssn", P_SHAPE + 1)
    for m in SSN_ENDING.finditer(text):
        yield Candidate(m.start(1), m.end(1), "ssn", P_SHAPE + 2)


def _phones(text: str) -> Iterator[Candidate]:
    spans: list[tuple[int, int]] = []
    for pattern in (PHONE_NANP, PHONE_INTL):
        for m in pattern.finditer(text):
            digits = sum(c.isdigit() for c in m.group(0))
            if 10 <= digits <= 18:
                spans.append((m.start(), m.end()))
    for m in PHONE_BARE.finditer(text):
        if PHONE_CUE.search(_prefix(text, m.start(), 30)):
            spans.append((m.start(), m.end()))
    for start, end in spans:
        before = _prefix(text, start, 50)
        fax_at = max((m.start() for m in FAX_CUE.finditer(before)), default=-1)
        phone_at = max((m.start() for m in PHONE_CUE.finditer(before)), default=-1)
        # The nearest cue decides: "office line is (852) ... and the fax is +1 (788) ...".
        is_fax = fax_at > phone_at
        if not is_fax:
            after = text[end:end + 12].lower()
            is_fax = after.lstrip(" (").startswith("fax")
        yield Candidate(start, end, "fax" if is_fax else "phone", P_PHONE)


def _labelled(text: str) -> Iterator[Candidate]:
    for m in LABELLED.finditer(text):
        value = m.group("value").rstrip(".-/")
        start = m.start("value")
        if sum(c.isalnum() for c in value) < 4 or (NOT_AN_ID.match(value) and not (value.isdigit() and len(value) == 4)):
            continue
        # Lower-case words like "unit" or "card" are everyday English; demand a value that
        # looks generated (long, or mixing letters and digits) before trusting them.
        digits = sum(c.isdigit() for c in value)
        category = next(cat for cat, _ in LABELS if m.group(cat))
        mixed = digits and any(c.isalpha() for c in value) and len(value) >= 6
        if category in {"device", "other_id", "account", "licence", "health_plan"} and digits < 3 and not mixed:
            continue
        # Four bare digits are too often a count or a year; only an explicit "number"
        # ("badge number, 4471") makes them an identifier.
        explicit = re.search(r"(?:num(?:ber)?|no\.|#)[\s:,(]*$", text[m.end("label"):start], re.IGNORECASE)
        if value.isdigit() and (len(value) < 4 or (len(value) == 4 and not explicit)):
            continue
        if any(p.fullmatch(value) for p, _ in DATE_PATTERNS) or PHONE_NANP.fullmatch(value):
            continue
        yield Candidate(start, start + len(value), category, P_LABELLED)
    for m in ENDING_IN.finditer(text):
        group = "value" if m.group("value") else "value2"
        before = _prefix(text, m.start(), 60)
        category = "ssn" if SSN_CUE.search(before) else "account"
        for cat, pattern in LABELS:
            if cat in {"mrn", "health_plan", "licence"} and re.search(r"\b(?:" + pattern + r")\b", before, re.IGNORECASE):
                category = cat
        yield Candidate(m.start(group), m.end(group), category, P_LABELLED)


def _dates(text: str) -> Iterator[Candidate]:
    for pattern, full in DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = m.group(0)
            # "May" is also a verb: only the capitalised month starts a date.
            if LOWER_MAY.match(value) and "May" not in value:
                continue
            if re.match(r"^on\s", value):
                start = m.start() + 3
            else:
                start = m.start()
            has_year = bool(ENDS_IN_YEAR.search(value)) and not MONTH_SLASH_YEAR.fullmatch(value)
            yield Candidate(start, m.end(), "date", P_DATE, full=full or has_year)
    for m in WEEKDAY_DAY.finditer(text):
        yield Candidate(m.start(), m.end(), "date", P_DATE, full=False)
    for m in DAY_ALONE.finditer(text):
        start = m.start() + (3 if m.group(0).startswith("on") else 0)
        yield Candidate(start, m.end(), "date", P_DATE - 1, full=False)


def _ages(text: str) -> Iterator[Candidate]:
    for m in AGE_PHRASE.finditer(text):
        yield Candidate(m.start(), m.end(), "age_over_89", P_AGE)
    for m in AGE_CUE.finditer(text):
        yield Candidate(m.start("age"), m.end("age"), "age_over_89", P_AGE)
    for m in AGE_BRACKET.finditer(text):
        yield Candidate(m.start("age"), m.end("age"), "age_over_89", P_AGE)


def _biometric(text: str) -> Iterator[Candidate]:
    for m in BIOMETRIC.finditer(text):
        yield Candidate(m.start("value"), m.end("value"), "biometric", P_LABELLED)
    for m in BIOMETRIC_TERM.finditer(text):
        sentence_start = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        sentence_end = min((i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0), default=len(text))
        if PERSON_IN_SENTENCE.search(text[sentence_start:sentence_end]):
            yield Candidate(m.start(), m.end(), "biometric", P_LABELLED - 1)


def structured_candidates(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for detector in (_web, _network, _ssn, _phones, _labelled, _dates, _ages, _biometric):
        found.extend(detector(text))
    return found
