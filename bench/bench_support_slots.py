"""`make bench` (support slots): open slots for 60 days of one supporter with 300 bookings.

What runs, in this one run, on a throw-away database (a PostgreSQL database named
h_bench_support_slots on the server of DATABASE_URL when that is PostgreSQL, else a SQLite file
under var/bench/; dropped and made afresh), with DEBUG off:
  - seed: one supporter in Europe/London offering 30 and 50 minutes, open every day 08:00–20:00,
    60-day horizon, 10-minute buffer, load limits above the seeded load (60 a week, 250 a month, so
    every slot is computed, none cut by a full month); 300 confirmed bookings over those 60 days, 40 busy times
    from their own calendar, 4 date overrides and 2 blackouts. A second supporter with 30
    bookings shows that the query count does not grow with the data.
  - method (all in one process, sequential, time.perf_counter around each call, after a warm-up):
      * the selector `open_slots(supporter, viewer=member)` (every length, the whole horizon);
      * baseline: GET /hello through Django's test client (the same in-process request path,
        middleware included, that the page below takes);
      * the page: GET /t4t/supporters/<pk>/ as a signed-in verified member (slot picker for one
        length, rendered).
    Each p50/p95 over BENCH_SLOTS_ROUNDS rounds (default 200), with the queries per call.
Results go to docs/benchmarks.md between the bench:support-slots markers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from run import BENCH_DIR, PY, ROOT, bench_env, machine

ROUNDS = int(os.environ.get("BENCH_SLOTS_ROUNDS", "200"))
REPORT = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:support-slots:start -->", "<!-- bench:support-slots:end -->"
GOAL_MS = 10.0


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        # Never the database the caller works in: the bench drops and recreates its own.
        return urlparse(url)._replace(path="/h_bench_support_slots").geturl()
    return f"sqlite:///{BENCH_DIR / 'support-slots.sqlite3'}"


def recreate_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


SCRIPT = r"""
import datetime as dt, json, statistics, sys, time, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from peerhaven.accounts.models import Profile, TermsAcceptance, TermsVersion, User
from peerhaven.support.models import (AvailabilityWindow, Blackout, Booking, DateOverride, ExternalBusy,
                                      SupporterProfile)
from peerhaven.support.selectors.booking import open_slots

rounds = int(sys.argv[1])
now = timezone.now()
london = __import__("zoneinfo").ZoneInfo("Europe/London")

def member(email):
    user = User.objects.create(email=email, verification_status="verified",
                               verified_until=timezone.localdate() + dt.timedelta(days=365))
    Profile.objects.create(user=user, pseudonym=email.split("@")[0], time_zone="America/New_York")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    for version in TermsVersion.objects.all():
        TermsAcceptance.objects.get_or_create(user=user, terms_version=version)
    return user

def supporter(email, bookings):
    user = member(email)
    profile = SupporterProfile.objects.create(
        user=user, status="approved", approved_at=now, session_lengths=[30, 50], time_zone="Europe/London",
        max_per_week=60, max_per_month=250, min_notice_minutes=60, buffer_minutes=10, horizon_days=60)
    AvailabilityWindow.objects.bulk_create([AvailabilityWindow(supporter=profile, weekday=day, start_time=dt.time(8),
                                            end_time=dt.time(20)) for day in range(7)])
    seeker = member(f"seeker-{email}")
    today = now.astimezone(london).date()
    rows = []
    per_day = max(1, -(-bookings // 60))
    for index in range(bookings):
        day = today + dt.timedelta(days=1 + index // per_day)
        start = dt.datetime.combine(day, dt.time(8 + 2 * (index % per_day)), tzinfo=london).astimezone(dt.UTC)
        rows.append(Booking(seeker=seeker, supporter=profile, starts_at=start, ends_at=start + dt.timedelta(minutes=50),
                            blocked_until=start + dt.timedelta(minutes=60), length_minutes=50, status="confirmed"))
    Booking.objects.bulk_create(rows)
    ExternalBusy.objects.bulk_create([
        ExternalBusy(supporter=profile, starts_at=now + dt.timedelta(days=1 + index, hours=6),
                     ends_at=now + dt.timedelta(days=1 + index, hours=7)) for index in range(40)])
    DateOverride.objects.bulk_create([DateOverride(supporter=profile, date=today + dt.timedelta(days=7 * index),
                                                   windows=[["10:00", "14:00"]]) for index in range(1, 5)])
    Blackout.objects.create(supporter=profile, starts_at=now + dt.timedelta(days=20), ends_at=now + dt.timedelta(days=22))
    Blackout.objects.create(supporter=profile, starts_at=now + dt.timedelta(days=40), ends_at=now + dt.timedelta(days=41))
    return profile

big = supporter("busy@bench.example", 300)
small = supporter("quiet@bench.example", 30)
viewer = member("viewer@bench.example")

def timed(work):
    for _ in range(10):
        work()
    samples, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    cpu.sort()
    return {"p50_ms": statistics.median(samples), "p95_ms": samples[int(len(samples) * 0.95) - 1],
            "mean_ms": statistics.fmean(samples), "cpu_p50_ms": statistics.median(cpu),
            "cpu_p95_ms": cpu[int(len(cpu) * 0.95) - 1]}

def queries(work):
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)

slots = open_slots(big, viewer=viewer)
selector = timed(lambda: open_slots(big, viewer=viewer))
selector["queries"] = queries(lambda: open_slots(big, viewer=viewer))
selector["queries_30_bookings"] = queries(lambda: open_slots(small, viewer=viewer))
selector["slots"] = len(slots)
selector["bookings"] = Booking.objects.filter(supporter=big).count()

anonymous = Client(HTTP_HOST="localhost")
hello = timed(lambda: anonymous.get("/hello"))
hello["queries"] = queries(lambda: anonymous.get("/hello"))

signed_in = Client(HTTP_HOST="localhost")
signed_in.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
session = signed_in.session
session["peerhaven_login_at"] = session["peerhaven_last_seen"] = time.time()
session["peerhaven_tz"] = "America/New_York"
session.save()
url = f"/t4t/supporters/{big.pk}/"
assert signed_in.get(url).status_code == 200, signed_in.get(url).status_code
page = timed(lambda: signed_in.get(url))
page["queries"] = queries(lambda: signed_in.get(url))
import os
print(json.dumps({"vendor": connection.vendor, "selector": selector, "hello": hello, "page": page,
                  "load_average": os.getloadavg()}))
"""


def run() -> dict:
    url = database_url()
    recreate_database(url)
    env = {**bench_env(), "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    # DEBUG off serves hashed static names: the page needs the manifest (var/bench may be fresh).
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    completed = subprocess.run([PY, "-c", SCRIPT, str(ROUNDS)], cwd=ROOT, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(completed.returncode)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def write_report(result: dict) -> None:
    selector, hello, page = result["selector"], result["hello"], result["page"]
    verdict = "met" if selector["p95_ms"] <= GOAL_MS else "NOT met"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"{START}\n"
        "## Support: open slots for 60 days (one supporter, 300 bookings)\n\n"
        f"Run {when} on {machine()}, database: {result['vendor']}. Method: in one process, sequential, "
        f"`time.perf_counter` around each call after a warm-up, {ROUNDS} rounds each; the baseline is "
        "GET /hello through Django's test client in the same process and run (the same request path the "
        "page takes). The supporter: 30 and 50 minute sessions, open 08:00–20:00 every day in "
        "Europe/London, 60-day horizon, 10-minute buffer, 300 confirmed bookings, 40 busy times from "
        "their own calendar, 4 date overrides, 2 blackouts; the viewer is in America/New_York.\n\n"
        "| what | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | queries | ratio of p50 to hello |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| GET /hello (baseline) | {hello['p50_ms']:.2f} | {hello['p95_ms']:.2f} | {hello['cpu_p50_ms']:.2f} | "
        f"{hello['cpu_p95_ms']:.2f} | {hello['queries']} | 1.00 |\n"
        f"| `open_slots` (60 days, both lengths: {selector['slots']} slots) | {selector['p50_ms']:.2f} | "
        f"{selector['p95_ms']:.2f} | {selector['cpu_p50_ms']:.2f} | {selector['cpu_p95_ms']:.2f} | "
        f"{selector['queries']} | {selector['p50_ms'] / hello['p50_ms']:.1f} |\n"
        f"| GET /t4t/supporters/&lt;pk&gt;/ (page: slot picker, two weeks of one length) | {page['p50_ms']:.2f} | "
        f"{page['p95_ms']:.2f} | {page['cpu_p50_ms']:.2f} | {page['cpu_p95_ms']:.2f} | {page['queries']} | "
        f"{page['p50_ms'] / hello['p50_ms']:.1f} |\n\n"
        f"Goal p95 ≤ {GOAL_MS:.0f} ms for the slots (wall clock): **{verdict}**. Load average during the run: "
        f"{', '.join(f'{value:.1f}' for value in result['load_average'])} on {os.cpu_count()} cores (CPU time is "
        "shown beside wall time because other work shared the machine). Query count with 300 bookings: "
        f"{selector['queries']}; with 30 bookings: {selector['queries_30_bookings']} (constant).\n"
        f"{END}"
    )
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text, encoding="utf-8")


def main() -> int:
    result = run()
    write_report(result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
