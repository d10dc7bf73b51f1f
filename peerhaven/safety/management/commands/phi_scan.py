"""`manage.py phi_scan`: the PHI guard over JSON Lines (the contract in DESIGN.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerhaven.safety.phi import scan, warm_up


class Command(BaseCommand):
    help = (
        'Read {"id", "text"} JSON Lines on stdin; write {"id", "findings": [{"start", "end", '
        '"category"}]} per line on stdout. Bad lines are reported on stderr as JSON and make '
        "the command exit non-zero after the whole input has been read."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        warm_up()
        errors = 0
        stdout = sys.stdout
        for line_number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or "id" not in record:
                    raise ValueError('expected an object with "id" and "text"')
                text = record.get("text") or ""
                if not isinstance(text, str):
                    raise ValueError('"text" must be a string')
            except ValueError as exc:
                # Never echo the line itself: it may hold the very identifiers we guard.
                errors += 1
                error = {"line": line_number, "error": type(exc).__name__, "detail": str(exc)[:200]}
                if isinstance(exc, json.JSONDecodeError):
                    error["detail"] = f"invalid JSON at column {exc.colno}"
                sys.stderr.write(json.dumps(error) + "\n")
                continue
            findings = [f.as_contract() for f in scan(text)]
            stdout.write(json.dumps({"id": record["id"], "findings": findings}, ensure_ascii=False) + "\n")
        stdout.flush()
        if errors:
            raise CommandError(f"{errors} input line(s) could not be read", returncode=2)
