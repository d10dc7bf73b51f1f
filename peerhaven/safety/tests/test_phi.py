"""The PHI guard's detectors, one Safe Harbor category at a time, and its invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerhaven.safety.phi import CATEGORIES, scan


def flagged(text: str) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.category) for f in scan(text)]


@pytest.mark.parametrize(
    ("text", "value", "category"),
    [
        ("My client Tomasz Wierzbicki asked about fees.", "Tomasz Wierzbicki", "name"),
        ("Her husband, Anselm, keeps calling the office.", "Anselm", "name"),
        ("Ngozi is 14 and wants to come alone.", "Ngozi", "name"),
        ("I spoke with Ms. Okafor after the session.", "Okafor", "name"),
        ("a client, ingrid, called me at night", "ingrid", "name"),
        ("She lives at 1187 Juniper Hollow Rd with her cat.", "1187 Juniper Hollow Rd", "geo"),
        ("Court is in Dellwood County next week.", "Dellwood County", "geo"),
        ("She moved to Spokane last year.", "Spokane", "geo"),
        ("He grew up in Maple Falls and hates it.", "Maple Falls", "geo"),
        ("Mail goes to Dunmore, PA 18512 now.", "18512", "geo"),
        ("The hearing is on June 23, 2021 at noon.", "June 23, 2021", "date"),
        ("DOB 05/13/1987 on the form.", "05/13/1987", "date"),
        ("Born 1945-06-14, widowed.", "1945-06-14", "date"),
        ("We rescheduled for the 21st, then she cancelled.", "the 21st", "date"),
        ("Power is cut on the 3rd of February.", "the 3rd of February", "date"),
        ("In treatment since October 2022.", "October 2022", "date"),
        ("Her 98-year-old grandmother called.", "98-year-old", "age_over_89"),
        ("The resident, aged 91, refuses meals.", "91", "age_over_89"),
        ("He is ninety-six years old and still drives.", "ninety-six years old", "age_over_89"),
        ("Call me at (630) 565-7757 after five.", "(630) 565-7757", "phone"),
        ("The rep at +1 919 643 2633 ext. 965 said no.", "+1 919 643 2633 ext. 965", "phone"),
        ("Their office line is (852) 631-4422 and the fax is +1 (788) 555-0147.", "+1 (788) 555-0147", "fax"),
        ("She wrote from jo.marsh@example.org yesterday.", "jo.marsh@example.org", "email"),
        ("His SSN is 378-26-6975 on the letter.", "378-26-6975", "ssn"),
        ("social security number 512 44 9087 in the email", "512 44 9087", "ssn"),
        ("the last four of her SSN (3309) were printed", "3309", "ssn"),
        ("Chart number (E-72158) in the subject line.", "E-72158", "mrn"),
        ("Her hospital MRN is JD153035.", "JD153035", "mrn"),
        ("Member ID RGG-829879-91 on the card.", "RGG-829879-91", "health_plan"),
        ("Ins member #VJX 4875 5993 30 | SSN", "VJX 4875 5993 30", "health_plan"),
        ("Savings account (no. 068-1763102-20) drained.", "068-1763102-20", "account"),
        ("They read out her account ending in 8812.", "8812", "account"),
        ("His driver's license number (N8655019) was on it.", "N8655019", "licence"),
        ("Plate number, 243 EUL, grey pickup.", "243 EUL", "vehicle"),
        ("The VIN 1FTFW1ET5DFC10312 is on the title.", "1FTFW1ET5DFC10312", "vehicle"),
        ("Serial PPL-0845W57 on the back of the pump.", "PPL-0845W57", "device"),
        ("MAC address 59-C5-0F-6F-E2-A7 on the router.", "59-C5-0F-6F-E2-A7", "device"),
        ("A link at https://example.net/a/b?c=1, she said.", "https://example.net/a/b?c=1", "url"),
        ("Her blog riverstone-bluejay.wordpress.com is public.", "riverstone-bluejay.wordpress.com", "url"),
        ("Someone joined from 23.152.245.230 twice.", "23.152.245.230", "ip"),
        ("The router lists 2001:db8::8a2e:370:7334 too.", "2001:db8::8a2e:370:7334", "ip"),
        ("Work enrolled his fingerprints for the time clock.", "fingerprints", "biometric"),
        ("Docket DV-91-459012, hearing soon.", "DV-91-459012", "other_id"),
        ("Her account, @tomasp44, lists her town.", "@tomasp44", "other_id"),
        ("He posts as u/MossyWanderer on Reddit.", "u/MossyWanderer", "other_id"),
    ],
)
def test_it_flags_each_identifier_category(text: str, value: str, category: str) -> None:
    assert (value, category) in flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "Her PHQ-9 of 14 dropped to 9 and she rates distress 7/10.",
        "Diagnosis F41.1, later F33.1; billed 90837 and 90785.",
        "The Safe Harbor list in 45 CFR 164.514(b) is narrow.",
        "I give everyone 988 and 911 for emergencies.",
        "Most residents are in their 90s; one is an 89-year-old teacher.",
        "She gets depressed every March and we plan for it in February.",
        "Winnicott's holding environment and Alzheimer's disease came up.",
        "Last Tuesday we did DBT and EMDR; the app is version 11.3.0.2.",
        "A 72-hour hold, sertraline 150 mg, sessions at 4:55.",
        "Client A and Client B both moved to California from Canada.",
        "Frank question about fees. Hope this helps.",
        "She thanked me for the grace I showed; a rose from her garden.",
        "Since 2019 she has been in treatment; she was born in 1960.",
        "Do you use fingerprint scanners for the office door?",
    ],
)
def test_it_leaves_non_identifiers_alone(text: str) -> None:
    assert flagged(text) == []


def test_it_blocks_structured_identifiers_and_asks_to_confirm_soft_ones() -> None:
    findings = scan("My client Ravi (SSN 378-26-6975) lives in Spokane; we met on the 12th.")
    severity = {f.category: f.severity for f in findings}
    assert severity == {"name": "confirm", "ssn": "block", "geo": "confirm", "date": "confirm"}
    assert [f.severity for f in scan("Seen on 10/18/2023.")] == ["block"]


def test_it_returns_nothing_for_empty_text() -> None:
    assert scan("") == []
    assert scan("   \n") == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.from_regex(r"[A-Za-z0-9 .,:/@#()'-]{0,200}"))
def test_it_returns_sorted_non_overlapping_in_bounds_spans_for_any_text(text: str) -> None:
    findings = scan(text)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.category in CATEGORIES
        assert finding.severity in ("block", "confirm")
    for earlier, later in zip(findings, findings[1:], strict=False):
        assert earlier.end <= later.start
