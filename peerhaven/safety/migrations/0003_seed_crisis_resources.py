"""Default crisis resources, so a fresh instance is never without them. Staff edit them later.

Only well-known public lines whose numbers and addresses are certain are seeded; the
international entry always points at local emergency services.
"""

from django.db import migrations

SEED = [
    {
        "country": "",
        "name": "Your local emergency number",
        "description": "If you or someone else is in immediate danger, call your local emergency number now.",
        "order": 0,
    },
    {
        "country": "",
        "name": "Find A Helpline",
        "url": "https://findahelpline.com",
        "description": "A directory of free, confidential crisis lines around the world.",
        "order": 10,
    },
    {
        "country": "US",
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "text": "Text 988",
        "url": "https://988lifeline.org",
        "description": "Free, confidential support, 24/7, by call, text or chat.",
        "order": 0,
    },
    {
        "country": "GB",
        "name": "Samaritans",
        "phone": "116 123",
        "url": "https://www.samaritans.org",
        "description": "Free, any time, day or night.",
        "order": 0,
    },
    {
        "country": "IE",
        "name": "Samaritans",
        "phone": "116 123",
        "url": "https://www.samaritans.org",
        "description": "Free, any time, day or night.",
        "order": 0,
    },
    {
        "country": "CA",
        "name": "9-8-8 Suicide Crisis Helpline",
        "phone": "988",
        "text": "Text 988",
        "url": "https://988.ca",
        "description": "Free, 24/7, by call or text.",
        "order": 0,
    },
    {
        "country": "AU",
        "name": "Lifeline",
        "phone": "13 11 14",
        "url": "https://www.lifeline.org.au",
        "description": "Crisis support, 24/7.",
        "order": 0,
    },
    {
        "country": "ES",
        "name": "Línea 024",
        "phone": "024",
        "description": "Atención a la conducta suicida, 24 horas, gratuita y confidencial.",
        "order": 0,
    },
    {
        "country": "MX",
        "name": "Línea de la Vida",
        "phone": "800 911 2000",
        "description": "Atención gratuita y confidencial, 24 horas.",
        "order": 0,
    },
]


def seed(apps, schema_editor):
    CrisisResource = apps.get_model("safety", "CrisisResource")
    for entry in SEED:
        values = {key: value for key, value in entry.items() if key not in {"country", "name"}}
        CrisisResource.objects.get_or_create(country=entry["country"], name=entry["name"], defaults=values)


def unseed(apps, schema_editor):
    CrisisResource = apps.get_model("safety", "CrisisResource")
    for entry in SEED:
        CrisisResource.objects.filter(country=entry["country"], name=entry["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_block_report")]

    operations = [migrations.RunPython(seed, unseed)]
