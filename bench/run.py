"""`make bench`: page throughput and latency, each beside a baseline measured in the same run.

Starts gunicorn (sync workers, as in production) on a throw-away SQLite database under
var/bench/, signs a member in, and drives loopback traffic with wrk:
  - baseline: GET /hello (the cheapest response the stack can give)
  - member home: GET /home/ as a signed-in, verified member
The ratio to the baseline is the figure that counts; absolute numbers depend on the machine.
Results are appended to docs/benchmarks.md with a description of the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PY = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
THREADS = "2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PEERHAVEN_DEBUG": "0",
            "PEERHAVEN_TESTING": "0",
            "PEERHAVEN_SECURE": "0",
            "PEERHAVEN_VAR_DIR": str(BENCH_DIR),
            "PEERHAVEN_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "PEERHAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
            "PEERHAVEN_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "PEERHAVEN_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}",
        }
    )
    env.pop("REDIS_URL", None)
    return env


SESSION_SCRIPT = r"""
import time, django
django.setup()
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
import datetime as dt
from peerhaven.accounts.models import Profile, TermsAcceptance, TermsVersion, User
from peerhaven.notifications.models import Notification

user, created = User.objects.get_or_create(email="bench@example.org")
if created:
    user.set_password("bench-password-123")
    user.verification_status = "verified"
    user.verified_until = timezone.localdate() + dt.timedelta(days=365)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"pseudonym": "bench", "display_name": "Bench"})
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    TOTP.activate(user, generate_totp_secret())
    for version in TermsVersion.objects.all():
        TermsAcceptance.objects.get_or_create(user=user, terms_version=version)
    Notification.objects.bulk_create([Notification(user=user, kind="licence.verified", link="/home/") for _ in range(50)])
session = SessionStore()
now = time.time()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session["peerhaven_login_at"] = now
session["peerhaven_last_seen"] = now
session.create()
print(session.session_key)
"""


def run_wrk(url: str, cookie: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", DURATION, "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def latency(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        if match is None:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"), "non_2xx": float(non_2xx.group(1)) if non_2xx else 0.0}


PHI_SCRIPT = r"""
import json, sys, time, django
django.setup()
from peerhaven.safety.phi import scan

records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
scan("warm up: Dr. Maria Lopez, 12 Oak St, Springfield, 555-123-4567")
rounds = int(sys.argv[2])

def timed(work):
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(rounds):
            for record in records:
                work(record)
        best = min(best, time.perf_counter() - started)
    return len(records) * rounds / best

# Baseline: what phi_scan does per record besides scanning (parse and write one JSON line).
baseline = timed(lambda record: json.dumps({"id": record["id"], "findings": [], "n": len(json.loads(json.dumps(record))["text"])}))
guard = timed(lambda record: json.dumps({"id": record["id"], "findings": [[f.start, f.end, f.category] for f in scan(record["text"])]}))
print(json.dumps({"records": len(records), "baseline_rps": baseline, "phi_rps": guard}))
"""


def run_phi(env: dict[str, str]) -> dict[str, float]:
    sample = ROOT / "peerhaven" / "safety" / "tests" / "fixtures" / "phi_public.jsonl"
    output = subprocess.run(
        [PY, "-c", PHI_SCRIPT, str(sample), os.environ.get("BENCH_PHI_ROUNDS", "5")],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    return json.loads(output)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 1
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    env = bench_env()
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    cookie = subprocess.run([PY, "-c", SESSION_SCRIPT], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    port = free_port()
    workers = str(os.cpu_count() or 2)
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", workers,
         "--worker-class", "sync", "--log-level", "warning"],
        # Persistent database connections, as deployment.md configures gunicorn in production.
        cwd=ROOT, env={**env, "PEERHAVEN_DB_CONN_MAX_AGE": "60"}, start_new_session=True,
    )
    base = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/hello", timeout=1)  # noqa: S310 - loopback only
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        # Warm up both paths, then measure each with the same load.
        subprocess.run(["wrk", "-t", "1", "-c", "2", "-d", "2s", f"{base}/hello"], capture_output=True, check=True)
        subprocess.run(["wrk", "-t", "1", "-c", "2", "-d", "2s", "-H", f"Cookie: sessionid={cookie}", f"{base}/home/"], capture_output=True, check=True)
        hello = run_wrk(f"{base}/hello")
        home = run_wrk(f"{base}/home/", cookie)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    phi = run_phi(env)
    ratio = home["rps"] / hello["rps"] if hello["rps"] else float("nan")
    result = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "server": f"gunicorn, {workers} sync workers, persistent connections (60 s), SQLite (WAL)",
        "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} over loopback",
        "hello": hello,
        "home": home,
        "home_to_hello_ratio": round(ratio, 3),
        "phi": phi,
    }
    print(json.dumps(result, indent=2))
    if home["non_2xx"]:
        print("The member home answered non-2xx responses: the signed-in session did not hold.", file=sys.stderr)
        return 1
    write_report(result)
    return 0


def write_report(result: dict) -> None:
    report = ROOT / "docs" / "benchmarks.md"
    marker = "<!-- bench:results -->"
    text = report.read_text() if report.exists() else f"# Benchmarks\n\n{marker}\n"
    row = (
        f"| {result['when']} | hello (baseline) | {result['hello']['rps']:.0f} | {result['hello']['p50_ms']:.2f} | {result['hello']['p99_ms']:.2f} | 1.00 |\n"
        f"| {result['when']} | member home `/home/` | {result['home']['rps']:.0f} | {result['home']['p50_ms']:.2f} | {result['home']['p99_ms']:.2f} | {result['home_to_hello_ratio']:.2f} |\n"
        f"\nPHI guard on the public sample ({result['phi']['records']} records, one process, best of 3): "
        f"{result['phi']['phi_rps']:.0f} records/s scanned, against {result['phi']['baseline_rps']:.0f} records/s "
        f"for the JSON Lines handling alone (ratio {result['phi']['phi_rps'] / result['phi']['baseline_rps']:.3f}).\n"
    )
    header = (
        f"\n### Run of {result['when']}\n\nMachine: {result['machine']}. Server: {result['server']}. Load: {result['load']}.\n\n"
        "| when | page | req/s | p50 ms | p99 ms | ratio to hello |\n|---|---|---|---|---|---|\n"
    )
    if marker not in text:
        text += f"\n{marker}\n"
    text = text.replace(marker, marker + header + row, 1)
    report.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
