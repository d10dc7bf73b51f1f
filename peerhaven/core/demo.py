"""The demo community `make run` seeds, and how to sign in to it (password + fixed TOTP secret).

Everything here is for a local first look only. The password is published in the README and
each TOTP secret is derived from the address with a public constant, so anyone can compute
it: demo addresses live on the reserved `.test` domain and must never exist on a real instance.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peerhaven.accounts.models import (
    Profession,
    Role,
    RoleGrant,
    TermsAcceptance,
    User,
    VerificationStatus,
)
from peerhaven.accounts.selectors import current_terms
from peerhaven.accounts.services import profile_ensure, profile_update, role_grant, terms_accept

DEMO_DOMAIN = "demo.peerhaven.test"
DEMO_PASSWORD = "peerhaven-demo"  # demo only: printed by `make run` and in the README
# Public on purpose (see module docstring): it makes the demo secrets stable across runs.
_DEMO_TOTP_KEY = b"peerhaven demo accounts - not a secret"
_DEMO_PASSWORD_SALT = "peerhavendemo"
# How long a demo verification lasts; renewed by seed_demo when less than this remains.
_VERIFIED_FOR = dt.timedelta(days=2 * 365)
_RENEW_WHEN_UNDER = dt.timedelta(days=180)


def is_demo_email(email: str) -> bool:
    local, at, domain = email.strip().lower().rpartition("@")
    return bool(at and local and domain == DEMO_DOMAIN)


def demo_totp_secret(email: str) -> str:
    """The fixed base32 TOTP secret of a demo account (HMAC of its address)."""
    if not is_demo_email(email):
        raise ValueError("Only demo addresses have a derived TOTP secret.")
    digest = hmac.new(_DEMO_TOTP_KEY, email.strip().lower().encode(), hashlib.sha1).digest()
    return base64.b32encode(digest).decode("ascii")


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The current code for `secret`, computed as allauth validates it (no pyotp at run time)."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@dataclass(frozen=True)
class DemoPerson:
    slug: str  # the e-mail's local part
    pseudonym: str
    display_name: str
    pronouns: str
    profession: str
    country: str
    region: str
    time_zone: str
    languages: list[str]
    specialties: list[str]
    modalities: list[str]
    employer: str
    bio: str
    verified: bool = True
    pending_licence: bool = False
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def email(self) -> str:
        return f"{self.slug}@{DEMO_DOMAIN}"

    @property
    def profile_fields(self) -> dict[str, Any]:
        return {
            "pseudonym": self.pseudonym, "display_name": self.display_name, "pronouns": self.pronouns,
            "profession": self.profession, "country": self.country, "region": self.region,
            "time_zone": self.time_zone, "languages": self.languages, "specialties": self.specialties,
            "modalities": self.modalities, "employer": self.employer, "bio": self.bio,
        }


P = Profession
# Columns: pseudonym, display name, pronouns, profession, country, region, time zone, languages,
# specialties, modalities, employer (private; shared employers show conflict-of-interest
# exclusion in matching), bio.
_MEMBER_ROWS: list[tuple[Any, ...]] = [
    ("QuietHarbor", "Dr. Amara Okafor", "she/her", P.PSYCHOLOGIST, "GB", "Greater London", "Europe/London", ["English", "Igbo"], ["secondary trauma", "burnout"], ["EMDR", "compassion-focused therapy"], "Thameside NHS Trust", "Trauma psychologist; I offer a steady ear after the hard weeks."),
    ("NorthernLantern", "Jonas Lindqvist", "he/him", P.COUNSELLOR, "SE", "Stockholm", "Europe/Stockholm", ["Swedish", "English"], ["grief and loss", "men's mental health"], ["ACT", "person-centred"], "Stockholm Student Health", "Grief counsellor. Fika and honest talk about the weight we carry."),
    ("MapleRoots", "Priya Raman, LCSW", "she/her", P.SOCIAL_WORKER, "CA", "Ontario", "America/Toronto", ["English", "Tamil"], ["child and adolescent", "refugee and migrant mental health"], ["narrative therapy", "CBT"], "Lakeshore Family Services", "Child welfare for twelve years; happy to talk boundaries and moral injury."),
    ("DesertSage", "Miguel Ángel Torres", "he/him", P.MFT, "US", "Arizona", "America/Phoenix", ["English", "Spanish"], ["couples", "addictions"], ["Gottman method", "motivational interviewing"], "Sonoran Recovery Center", "Couples and recovery work; bilingual groups on Tuesdays."),
    ("TideTable", "Dr. Siobhán Byrne", "she/her", P.PSYCHIATRIST, "IE", "Cork", "Europe/Dublin", ["English", "Irish"], ["psychosis", "suicide prevention"], ["psychodynamic", "mentalization-based"], "Cork University Hospital", "Consultant psychiatrist who facilitates our ethics circle."),
    ("KowhaiLight", "Aroha Ngata", "she/her", P.COUNSELLOR, "NZ", "Wellington", "Pacific/Auckland", ["English", "Te Reo Māori"], ["cultural trauma", "whānau wellbeing"], ["narrative therapy", "systemic family therapy"], "Te Whare Ora Trust", "Kaupapa Māori counsellor; workshops on collective care."),
    ("RiverStone", "Daniel Mensah", "he/him", P.PSYCHOLOGIST, "GH", "Greater Accra", "Africa/Accra", ["English", "Twi"], ["secondary trauma", "humanitarian work"], ["CBT", "trauma-focused CBT"], "Korle Bu Teaching Hospital", "Moderator here. Humanitarian trauma work, with plenty of laughter."),
    ("PaperCrane", "Yuki Tanaka", "they/them", P.PSYCHOLOGIST, "JP", "Tokyo", "Asia/Tokyo", ["Japanese", "English"], ["LGBTQ+ affirmative care", "anxiety"], ["ACT", "schema therapy"], "Shinjuku Counselling Rooms", "Moderator. Queer-affirmative practice, and a lot of tea."),
    ("Jacaranda", "Lerato Dlamini", "she/her", P.SOCIAL_WORKER, "ZA", "Gauteng", "Africa/Johannesburg", ["English", "Zulu", "Sesotho"], ["gender-based violence", "secondary trauma"], ["narrative therapy", "somatic experiencing"], "Soweto Community Care", "Twenty years with survivors; I value peers who know the cost."),
    ("CedarBench", "Rachel Goldberg, PsyD", "she/her", P.PSYCHOLOGIST, "US", "New York", "America/New_York", ["English", "Hebrew"], ["OCD", "anxiety"], ["CBT", "exposure and response prevention"], "Brooklyn Anxiety Clinic", "OCD specialist; I find supervision groups keep me honest."),
    ("Alameda", "Lucía Fernández", "she/her", P.PSYCHOLOGIST, "ES", "Madrid", "Europe/Madrid", ["Spanish", "English", "Catalan"], ["eating disorders", "perinatal mental health"], ["DBT", "compassion-focused therapy"], "Hospital Universitario La Paz", "Eating disorders team; looking for a monthly check-in partner."),
    ("Colibri", "Camila Rojas", "she/her", P.COUNSELLOR, "CO", "Antioquia", "America/Bogota", ["Spanish", "English"], ["conflict-related trauma", "grief and loss"], ["EMDR", "narrative therapy"], "Fundación Caminos", "Counsellor with displaced families in Medellín."),
    ("SlowTrain", "Mateo Silva", "he/him", P.MFT, "AR", "Buenos Aires", "America/Argentina/Buenos_Aires", ["Spanish", "Portuguese"], ["couples", "sexual health"], ["EFT", "psychodynamic"], "Centro Vínculos", "Couples therapist; happy to talk about the loneliness of private practice."),
    ("Ipê", "Beatriz Carvalho", "she/her", P.PSYCHOLOGIST, "BR", "São Paulo", "America/Sao_Paulo", ["Portuguese", "Spanish", "English"], ["burnout", "workplace mental health"], ["ACT", "mindfulness-based"], "Clínica Horizonte", "I study burnout in clinicians; and yes, I have had it."),
    ("Lindenbaum", "Dr. Katrin Weber", "she/her", P.PSYCHIATRIST, "DE", "Berlin", "Europe/Berlin", ["German", "English"], ["ADHD", "neurodiversity"], ["psychodynamic", "psychoeducation"], "Charité Outpatient Service", "Adult ADHD clinic; neurodivergent clinician myself."),
    ("Polder", "Sanne de Vries", "she/her", P.PSYCHIATRIC_NURSE, "NL", "Utrecht", "Europe/Amsterdam", ["Dutch", "English", "German"], ["crisis care", "psychosis"], ["solution-focused", "open dialogue"], "Altrecht GGZ", "Crisis team nurse; night shifts and the mornings after."),
    ("Mistral", "Julien Moreau", "he/him", P.PSYCHOLOGIST, "FR", "Provence", "Europe/Paris", ["French", "English"], ["secondary trauma", "first responders"], ["EMDR", "psychodynamic"], "Cellule d'urgence médico-psychologique", "Works with firefighters and paramedics after critical incidents."),
    ("Monsoon", "Dr. Ananya Iyer", "she/her", P.PSYCHIATRIST, "IN", "Karnataka", "Asia/Kolkata", ["English", "Kannada", "Hindi"], ["perinatal mental health", "depression"], ["CBT", "interpersonal therapy"], "Bengaluru Women's Clinic", "Perinatal psychiatry; I run a peer consultation group."),
    ("Acacia", "Wanjiru Kamau", "she/her", P.COUNSELLOR, "KE", "Nairobi", "Africa/Nairobi", ["English", "Swahili", "Kikuyu"], ["grief and loss", "HIV and chronic illness"], ["person-centred", "narrative therapy"], "Nairobi Hospice", "Hospice counsellor; grief is my daily weather."),
    ("Harmattan", "Chidi Eze", "he/him", P.PSYCHOLOGIST, "NG", "Lagos", "Africa/Lagos", ["English", "Igbo", "Yoruba"], ["addictions", "young adults"], ["motivational interviewing", "CBT"], "Lagos University Teaching Hospital", "Addictions psychologist; football and peer support on weekends."),
    ("Sampaguita", "Maria Santos", "she/her", P.SOCIAL_WORKER, "PH", "Metro Manila", "Asia/Manila", ["Filipino", "English"], ["disaster mental health", "secondary trauma"], ["psychological first aid", "CBT"], "Quezon City Social Services", "Disaster response social worker after several typhoon seasons."),
    ("Merlion", "Wei Ling Tan", "she/her", P.COUNSELLOR, "SG", "Singapore", "Asia/Singapore", ["English", "Mandarin", "Malay"], ["school counselling", "anxiety"], ["solution-focused", "play therapy"], "Northlight Secondary School", "School counsellor; interested in reflective practice circles."),
    ("Bluebottle", "Hannah O'Connor", "she/her", P.PSYCHOLOGIST, "AU", "New South Wales", "Australia/Sydney", ["English"], ["perinatal mental health", "grief and loss"], ["ACT", "IFS"], "Harbourside Women's Health", "Perinatal loss is my focus; surfing is my supervision."),
    ("Saltbush", "Tom Nguyen", "he/him", P.SOCIAL_WORKER, "AU", "Western Australia", "Australia/Perth", ["English", "Vietnamese"], ["rural mental health", "men's mental health"], ["ACT", "motivational interviewing"], "Goldfields Community Health", "Rural social worker; long drives, short supply of peers nearby."),
    ("Azulejo", "Inês Rocha", "she/her", P.PSYCHOLOGIST, "PT", "Lisbon", "Europe/Lisbon", ["Portuguese", "English", "French"], ["couples", "LGBTQ+ affirmative care"], ["EFT", "systemic family therapy"], "Clínica do Tejo", "Systemic therapist; glad to join a Lisbon meetup."),
    ("Cypress", "Marco Bianchi", "he/him", P.PSYCHOLOGIST, "IT", "Tuscany", "Europe/Rome", ["Italian", "English"], ["chronic pain", "health anxiety"], ["CBT", "compassion-focused therapy"], "Ospedale di Careggi", "Health psychologist in a pain clinic."),
    ("Araucaria", "Valentina Muñoz", "she/her", P.COUNSELLOR, "CL", "Santiago", "America/Santiago", ["Spanish", "English"], ["secondary trauma", "student mental health"], ["DBT", "mindfulness-based"], "Universidad de Santiago Wellbeing Centre", "University counsellor; DBT skills group lead."),
    ("Cenote", "Diego Hernández", "he/him", P.PSYCHOLOGIST, "MX", "Yucatán", "America/Merida", ["Spanish", "English", "Maya"], ["indigenous community mental health", "grief and loss"], ["narrative therapy", "person-centred"], "Centro Comunitario Mérida", "Community psychologist working in Spanish and Maya."),
    ("Heather", "Fiona MacLeod", "she/her", P.COUNSELLOR, "GB", "Scotland", "Europe/London", ["English", "Scottish Gaelic"], ["rural mental health", "farming communities"], ["person-centred", "ACT"], "Highland Counselling Network", "Counsellor in the Highlands; applied for verification last week."),
    ("Magnolia", "Jasmine Brooks, LPC", "she/her", P.COUNSELLOR, "US", "Georgia", "America/New_York", ["English"], ["racial trauma", "secondary trauma"], ["EMDR", "IFS"], "Peachtree Counseling Group", "Trauma counsellor; my licence is with the verifiers now."),
    ("Sequoia", "Ethan Park, LMFT", "he/him", P.MFT, "US", "California", "America/Los_Angeles", ["English", "Korean"], ["couples", "intergenerational trauma"], ["EFT", "Gottman method"], "Bay Family Therapy", "Korean-American family therapist; waiting on licence review."),
    ("Fjell", "Ingrid Solberg", "she/her", P.PSYCHOLOGIST, "NO", "Oslo", "Europe/Oslo", ["Norwegian", "English"], ["eating disorders", "perfectionism"], ["schema therapy", "CBT"], "Oslo Eating Disorder Unit", "Recently moved from hospital to private practice."),
    ("Wattle", "Sam Cooper", "they/them", P.TRAINEE, "AU", "Victoria", "Australia/Melbourne", ["English", "Auslan"], ["Deaf mental health", "neurodiversity"], ["ACT", "CBT"], "Monash Provisional Psychology Program", "Provisional psychologist; supervision questions welcome."),
    ("Tamarind", "Dr. Farah Siddiqui", "she/her", P.PSYCHIATRIST, "CA", "British Columbia", "America/Vancouver", ["English", "Urdu", "Punjabi"], ["refugee and migrant mental health", "secondary trauma"], ["psychodynamic", "trauma-focused CBT"], "Vancouver Newcomer Health", "Psychiatrist for newcomers; licence renewal submitted."),
    ("Kestrel", "Owen Hughes", "he/him", P.SOCIAL_WORKER, "GB", "Wales", "Europe/London", ["English", "Welsh"], ["child protection", "moral injury"], ["systemic family therapy", "solution-focused"], "Cardiff Children's Services", "Child protection social worker; submitted my registration."),
    ("Bergamot", "Elena Petrova", "she/her", P.PSYCHOLOGIST, "BG", "Sofia", "Europe/Sofia", ["Bulgarian", "Russian", "English"], ["anxiety", "expat mental health"], ["CBT", "schema therapy"], "Sofia Counselling Centre", "Works online with expats across Europe."),
    ("Driftwood", "Noah Fischer", "he/him", P.TRAINEE, "DE", "Hamburg", "Europe/Berlin", ["German", "English"], ["young adults", "gaming and internet use"], ["CBT", "motivational interviewing"], "Universität Hamburg Ambulanz", "Psychotherapist in training; just joined."),
    ("Olive", "Leila Haddad", "she/her", P.COUNSELLOR, "AE", "Dubai", "Asia/Dubai", ["Arabic", "English", "French"], ["grief and loss", "third-culture families"], ["person-centred", "EMDR"], "Dubai Family Wellbeing", "Counsellor for internationally mobile families; new here."),
    ("Fennel", "Chris Walker", "he/him", P.OTHER, "US", "Texas", "America/Chicago", ["English", "Spanish"], ["veterans", "moral injury"], ["CPT", "ACT"], "Lone Star Veterans Center", "Peer specialist and veteran; still filling in my profile."),
    ("Lotus", "Mei Chen", "she/her", P.PSYCHIATRIC_NURSE, "TW", "Taipei", "Asia/Taipei", ["Mandarin", "Taiwanese Hokkien", "English"], ["older adults", "dementia care"], ["reminiscence therapy", "supportive counselling"], "Taipei Veterans General Hospital", "Psychogeriatric nurse; joined to find a consultation group."),
]

_MEMBER_ROLES: dict[int, tuple[str, ...]] = {
    1: (Role.SUPPORTER,), 2: (Role.SUPPORTER,), 3: (Role.SUPPORTER,),
    5: (Role.FACILITATOR,), 6: (Role.FACILITATOR,),
    7: (Role.MODERATOR,), 8: (Role.MODERATOR,),
}


# member29-36 have a licence submission waiting for a verifier; member37-40 have just joined.
_PENDING = range(29, 37)
_ROW_COLUMNS = (
    "pseudonym", "display_name", "pronouns", "profession", "country", "region", "time_zone",
    "languages", "specialties", "modalities", "employer", "bio",
)
_REGISTERED = range(37, 41)


def _member(index: int, row: tuple[Any, ...]) -> DemoPerson:
    columns = dict(zip(_ROW_COLUMNS, row, strict=True))
    return DemoPerson(
        f"member{index:02d}", **columns,
        verified=index not in _PENDING and index not in _REGISTERED,
        pending_licence=index in _PENDING,
        roles=_MEMBER_ROLES.get(index, ()),
    )


MEMBERS: list[DemoPerson] = [_member(index, row) for index, row in enumerate(_MEMBER_ROWS, start=1)]

STAFF_AND_VERIFIERS: list[DemoPerson] = [
    DemoPerson("verifier1", "CarefulReader", "Grace Adeyemi", "she/her", P.SOCIAL_WORKER, "GB", "Greater London", "Europe/London", ["English", "Yoruba"], ["professional regulation"], ["supervision"], "Peerhaven Alliance", "Reviews licence submissions for the alliance.", roles=(Role.VERIFIER,)),
    DemoPerson("verifier2", "SteadyHand", "Carlos Medina", "he/him", P.PSYCHOLOGIST, "US", "Illinois", "America/Chicago", ["English", "Spanish"], ["professional regulation"], ["supervision"], "Peerhaven Alliance", "Licence verifier for the Americas.", roles=(Role.VERIFIER,)),
    DemoPerson("staff", "HavenKeeper", "Ruth Abernethy", "she/her", P.COUNSELLOR, "IE", "Dublin", "Europe/Dublin", ["English"], ["programme design"], ["person-centred"], "Peerhaven Alliance", "Programme lead for the alliance; staff admin of this instance.", roles=(Role.STAFF,)),
]

DEMO_PEOPLE: list[DemoPerson] = [*STAFF_AND_VERIFIERS, *MEMBERS]


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)


def demo_community_seed(*, licence_seeder: Callable[..., Any] | None = None) -> SeedReport:
    """Create or restore every demo account; a second run finds nothing to change.

    `licence_seeder` (the verification app's `seed_demo_licences`) files a licence for each
    member who should be verified or pending and approves the former through the real review
    service; without it, the verified members are marked verified directly.
    """
    report = SeedReport()
    password_hash = _demo_password_hash()
    users: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        with transaction.atomic():
            user, outcome = _demo_person_ensure(
                person, password_hash=password_hash, mark_verified=licence_seeder is None
            )
        users[person.slug] = user
        if outcome == "created":
            report.created += 1
        elif outcome == "updated":
            report.updated += 1
    if licence_seeder is not None:
        verified = [users[person.slug] for person in DEMO_PEOPLE if person.verified]
        pending = [users[person.slug] for person in DEMO_PEOPLE if person.pending_licence]
        # The seeder leaves its last `pending` members in the review queue.
        licence_seeder(
            members=[*verified, *pending],
            verifiers=[users[person.slug] for person in DEMO_PEOPLE if Role.VERIFIER in person.roles],
            pending=len(pending),
        )
    return report


def _demo_password_hash() -> str:
    # A fixed salt makes the hash of the (public) demo password stable, so a re-run compares
    # strings instead of spending an Argon2 computation per account.
    return make_password(DEMO_PASSWORD, salt=_DEMO_PASSWORD_SALT)


def _demo_person_ensure(person: DemoPerson, *, password_hash: str, mark_verified: bool) -> tuple[User, str]:
    user = User.objects.filter(email=person.email).first()
    outcome = "unchanged"
    if user is None:
        user = User.objects.create_user(person.email, None)
        user.password = password_hash
        user.save(update_fields=["password"])
        outcome = "created"
    elif user.password != password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
        outcome = "updated"

    changed = [
        _email_ensure(user),
        _profile_ensure(user, person),
        _totp_ensure(user),
        _recovery_codes_ensure(user),
        _roles_ensure(user, person),
        _terms_ensure(user),
        mark_verified and person.verified and _verification_mark(user),
    ]
    if outcome == "unchanged" and any(changed):
        outcome = "updated"
    return user, outcome


def _email_ensure(user: User) -> bool:
    address, created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if created or (address.verified and address.primary):
        return created
    address.verified = True
    address.primary = True
    address.save(update_fields=["verified", "primary"])
    return True


def _profile_ensure(user: User, person: DemoPerson) -> bool:
    profile = profile_ensure(user=user)
    wanted = person.profile_fields
    changes = {name: value for name, value in wanted.items() if getattr(profile, name) != value}
    if not changes:
        return False
    profile_update(actor=user, **changes)
    return True


def _totp_ensure(user: User) -> bool:
    secret = demo_totp_secret(user.email)
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        if decrypt(existing.data["secret"]) == secret:
            return False
        # Someone re-enrolled the demo account: restore the secret the instructions print.
        existing.delete()
    TOTP.activate(user, secret)
    return True


def _recovery_codes_ensure(user: User) -> bool:
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        return False
    RecoveryCodes.activate(user)
    return True


def _verification_mark(user: User) -> bool:
    # Only without the verification app's seeder: a demo fixture, like the test factories,
    # with no licence behind it. The seeder approves real (demo) submissions instead.
    today = timezone.localdate()
    if (
        user.verification_status == VerificationStatus.VERIFIED
        and user.verified_until is not None
        and user.verified_until - today >= _RENEW_WHEN_UNDER
    ):
        return False
    user.verification_status = VerificationStatus.VERIFIED
    user.verified_until = today + _VERIFIED_FOR
    user.save(update_fields=["verification_status", "verified_until"])
    return True


def _roles_ensure(user: User, person: DemoPerson) -> bool:
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    missing = [role for role in person.roles if role not in held]
    for role in missing:
        role_grant(actor=None, user=user, role=role)
    return bool(missing)


def _terms_ensure(user: User) -> bool:
    terms = current_terms()
    if terms is None or TermsAcceptance.objects.filter(user=user, terms_version=terms).exists():
        return False
    terms_accept(actor=user, terms_version=terms)
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, e-mail, TOTP secret) for each demo account, staff first."""
    rows: list[tuple[str, str, str]] = []
    for person in DEMO_PEOPLE:
        if person.roles:
            label = " + ".join(str(Role(role).label) for role in person.roles)
        elif person.pending_licence:
            label = "member, licence pending"
        elif person.verified:
            label = "verified member"
        else:
            label = "registered member"
        rows.append((label, person.email, demo_totp_secret(person.email)))
    return rows
