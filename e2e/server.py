"""The real ASGI server the browser tests drive: a subprocess (daphne, so websockets work) on
its own database, its own var/ directory and a file mailbox the tests read links from."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
_STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_admin_url(database_url: str) -> str:
    """The same server, but the maintenance database (CREATE/DROP DATABASE run there)."""
    parsed = urlparse(database_url)
    return parsed._replace(path="/postgres").geturl()


def _postgres_recreate(database_url: str, name: str, *, create: bool) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_postgres_admin_url(database_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlparse(database_url)._replace(path=f"/{name}").geturl()


@dataclass
class Mailbox:
    """Django's file e-mail backend writes one file per connection, messages separated by a
    line of dashes; the newest message to a recipient is what a person would open."""

    directory: Path

    def messages_to(self, recipient: str) -> list[email.message.EmailMessage]:
        found: list[tuple[float, int, email.message.EmailMessage]] = []
        if not self.directory.exists():
            return []
        for path in self.directory.iterdir():
            raw = path.read_bytes()
            for index, chunk in enumerate(re.split(rb"\n-{79}\n", raw)):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
                if recipient.lower() in str(message.get("To", "")).lower():
                    found.append((path.stat().st_mtime, index, message))  # type: ignore[arg-type]
        found.sort(key=lambda item: (item[0], item[1]))
        return [message for _mtime, _index, message in found]

    @staticmethod
    def text_of(message: email.message.EmailMessage) -> str:
        """Subject and every text part (plain and HTML) of a message."""
        parts = [str(message.get("Subject", ""))]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)

    def wait_for_subject(self, recipient: str, subject: str, *, timeout: float = 15.0) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages_to(recipient)):
                if subject in str(message.get("Subject", "")):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no e-mail to {recipient} with subject {subject!r}")
            time.sleep(0.2)

    def wait_for_link(self, recipient: str, pattern: str, *, timeout: float = 15.0) -> str:
        """The first URL matching `pattern` in the newest message to `recipient`."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages_to(recipient)):
                body = message.get_body(preferencelist=("plain", "html"))
                text = body.get_content() if body is not None else ""
                match = re.search(pattern, text)
                if match:
                    return match.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"no e-mail to {recipient} with a link matching {pattern!r}")
            time.sleep(0.2)


@dataclass
class LiveServer:
    workdir: Path
    worker: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    postgres_name: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        # localhost, not 127.0.0.1: WebAuthn refuses IP addresses as the relying party.
        return f"http://localhost:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    @property
    def mailbox(self) -> Mailbox:
        return Mailbox(self.workdir / "mail")

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "PEERHAVEN_TEST_DB")) and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
        }
        test_database_url = os.environ.get("DATABASE_URL", "")
        if test_database_url.startswith(("postgres://", "postgresql://")):
            self.postgres_name = f"peerhaven_e2e_{self.worker}"
            database_url = _postgres_recreate(test_database_url, self.postgres_name, create=True)
        else:
            database_url = f"sqlite:///{self.workdir / 'e2e.sqlite3'}"
        (self.workdir / "mail").mkdir(parents=True, exist_ok=True)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": database_url,
                "PEERHAVEN_DEBUG": "1",
                # Tasks run inline in the server (ImmediateBackend): no separate worker to race.
                "PEERHAVEN_TESTING": "1",
                "PEERHAVEN_SITE_URL": self.url,
                "PEERHAVEN_VAR_DIR": str(self.workdir / "var"),
                "PEERHAVEN_PRIVATE_MEDIA": str(self.workdir / "var" / "private"),
                "EMAIL_URL": f"file://{self.workdir / 'mail'}",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        """Run a management command against the server's database and var/ directory."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def run_script(self, *args: str, timeout: float = 60) -> str:
        """Run e2e/fixtures_cli.py (test data through the project's services) on the server's DB."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "e2e" / "fixtures_cli.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"fixtures_cli {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = self._environment()
        self.manage("migrate", "--noinput", timeout=300)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown kills all of it
        )
        log.close()
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the e2e server exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if error.code == 503:  # degraded (no worker heartbeat) still means it serves
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the e2e server did not answer /healthz in {_STARTUP_SECONDS}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.postgres_name is not None:
            _postgres_recreate(os.environ["DATABASE_URL"], self.postgres_name, create=False)
