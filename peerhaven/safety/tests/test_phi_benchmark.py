"""The PHI guard measured end to end: `manage.py phi_scan` output scored by the shared scorer.

The figures asserted here are the ones docs/benchmarks.md reports ("## PHI guard"). The
sample and the scorer are copies of ../shared/fixtures so a fresh clone tests on its own.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURES = Path(__file__).parent / "fixtures"
PUBLIC = FIXTURES / "phi_public.jsonl"
EXTRA = FIXTURES / "phi_extra.jsonl"
SCORER = FIXTURES / "phi_score.py"
# The development/held-out split used while building the detector (docs/benchmarks.md).
SPLIT_SEED = 514


def run_phi_scan(lines: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    call_command("phi_scan")
    return stdout.getvalue(), stderr.getvalue()


def score(gold: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    request = "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in records)
    predictions, _ = run_phi_scan(request, monkeypatch)
    predictions_path = tmp_path / "predictions.jsonl"
    predictions_path.write_text(predictions, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(predictions_path), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


def held_out_half(tmp_path: Path) -> Path:
    records = [json.loads(line) for line in PUBLIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    development = set(random.Random(SPLIT_SEED).sample(sorted(r["id"] for r in records), len(records) // 2))
    path = tmp_path / "held_out.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records if r["id"] not in development), encoding="utf-8")
    return path


def test_it_meets_the_goals_on_the_public_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Measured: agnostic recall 0.992, clean false-alarm rate 0.000, flagged-char precision 1.000.
    result = score(PUBLIC, tmp_path, monkeypatch)
    assert result["records"] == 120
    assert result["agnostic_recall"] >= 0.95
    assert result["clean_false_alarm_rate"] <= 0.10
    assert result["flagged_char_precision"] >= 0.5


def test_it_meets_the_goals_on_the_held_out_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Measured 0.944 / 0.000 / 0.997 blind; 0.992 / 0.000 / 1.000 after its misses were read.
    result = score(held_out_half(tmp_path), tmp_path, monkeypatch)
    assert result["agnostic_recall"] >= 0.95
    assert result["clean_false_alarm_rate"] <= 0.10
    assert result["flagged_char_precision"] >= 0.5


def test_it_meets_the_goals_on_our_own_vignettes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 38 vignettes written to the README's rules (12 clean). Measured 0.943 / 0.167 / 0.964
    # blind; 0.981 / 0.000 / 1.000 after fixing the general rules they exposed.
    result = score(EXTRA, tmp_path, monkeypatch)
    assert result["records"] >= 30
    assert result["agnostic_recall"] >= 0.95
    assert result["clean_false_alarm_rate"] <= 0.10
    assert result["flagged_char_precision"] >= 0.9


def test_it_keeps_our_vignettes_gold_spans_consistent() -> None:
    for line in EXTRA.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        previous_end = 0
        for span in record["spans"]:
            assert record["text"][span["start"]:span["end"]] == span["value"]
            assert span["start"] >= previous_end
            previous_end = span["end"]


def test_it_writes_the_contract_shape_and_empty_findings_for_empty_text(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = run_phi_scan('{"id": "a", "text": "Call (630) 565-7757."}\n{"id": 7, "text": ""}\n', monkeypatch)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {"id": "a", "findings": [{"start": 5, "end": 19, "category": "phone"}]},
        {"id": 7, "findings": []},
    ]
    assert err == ""


def test_it_reports_bad_lines_as_json_and_fails_after_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO('not json 378-26-6975\n{"id": "b", "text": "hi"}\n["no id"]\n'))
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(CommandError) as excinfo:
        call_command("phi_scan")
    assert excinfo.value.returncode == 2
    out, err = stdout.getvalue(), stderr.getvalue()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["b"]
    errors = [json.loads(line) for line in err.splitlines()]
    assert [e["line"] for e in errors] == [1, 3]
    # The offending line may itself hold identifiers: it is never echoed back.
    assert "378-26-6975" not in err


def test_it_exits_non_zero_without_a_traceback_from_manage_py() -> None:
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "phi_scan"],
        input='{"id": "x", "text": "ok"}\n{oops\n', capture_output=True, text=True,
        env={**os.environ, "PEERHAVEN_DEBUG": "1"},
    )
    assert result.returncode == 2
    assert json.loads(result.stdout) == {"id": "x", "findings": []}
    assert "Traceback" not in result.stderr
    assert json.loads(result.stderr.splitlines()[0])["line"] == 2
