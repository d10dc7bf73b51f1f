"""/healthz reports the database, cache, channel layer and the worker heartbeat."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from peerhaven.core.tasks import worker_heartbeat

NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_it_is_ok_when_the_heartbeat_is_fresh(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    worker_heartbeat.call()
    time_machine.move_to(NOW + dt.timedelta(seconds=90), tick=False)

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["worker"] == {"ok": True, "last_beat_seconds_ago": 90}
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database", "cache", "channel_layer", "worker",
    }


@pytest.mark.django_db
def test_it_is_degraded_when_the_heartbeat_is_stale(time_machine: Any, settings: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    worker_heartbeat.call()
    time_machine.move_to(NOW + dt.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS + 1), tick=False)

    response = Client().get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_it_is_degraded_before_any_worker_has_run() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "last_beat_seconds_ago": None}
