"""My sessions (signed-in devices, signing them out) and the new-device notice."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.accounts.models import KnownDevice
from peerhaven.accounts.sessions import NEW_DEVICE_KIND, end_all_sessions
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.notifications.models import Notification

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_LINUX_NEWER = "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def _sign_in_from(user: Any, user_agent: str, capture: Any, ip: str = "198.51.100.7") -> Client:
    """A real django.contrib.auth log-in (as allauth performs it) from a given browser."""
    request = RequestFactory().get("/accounts/login/", HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    request.session = SessionStore()
    request.user = AnonymousUser()
    with capture(execute=True):
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return client


def _notices(user: Any) -> int:
    return Notification.objects.filter(user=user, kind=NEW_DEVICE_KIND).count()


def test_it_takes_the_first_device_as_the_members_own(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    assert KnownDevice.objects.filter(user=member).count() == 1
    assert _notices(member) == 0


def test_it_tells_the_member_once_about_a_new_device(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _sign_in_from(member, SAFARI_IPHONE, django_capture_on_commit_callbacks)
    assert _notices(member) == 1
    notice = Notification.objects.get(user=member, kind=NEW_DEVICE_KIND)
    assert notice.link == reverse("accounts:sessions")
    assert AuditEntry.objects.filter(action="auth.new_device", actor_id=member.pk).count() == 1
    # E-mail is on by default, and says only that there is something new.
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Safari" not in mail.outbox[0].body and "198.51.100.7" not in mail.outbox[0].body

    _sign_in_from(member, SAFARI_IPHONE, django_capture_on_commit_callbacks)
    assert _notices(member) == 1

    _sign_in_from(member, CHROME_WINDOWS, django_capture_on_commit_callbacks)
    assert _notices(member) == 2


def test_it_treats_a_browser_update_as_the_same_device(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    _sign_in_from(member, FIREFOX_LINUX_NEWER, django_capture_on_commit_callbacks)
    assert _notices(member) == 0
    assert KnownDevice.objects.filter(user=member).count() == 1


def test_it_keeps_no_address_or_raw_agent_with_known_devices(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    _sign_in_from(member, SAFARI_IPHONE, django_capture_on_commit_callbacks)
    device = KnownDevice.objects.get(user=member)
    assert len(device.fingerprint) == 64
    assert device.label == "Mobile Safari / iOS"
    assert "198.51.100.7" not in str(vars(device))


def test_it_lists_the_members_sessions(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    _sign_in_from(member, SAFARI_IPHONE, django_capture_on_commit_callbacks, ip="203.0.113.5")
    client = _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    response = client.get(reverse("accounts:sessions"))
    assert response.status_code == 200
    listed = response.context["sessions"]
    assert [session.device.label() for session in listed] == ["Firefox on Linux", "Mobile Safari on iOS"]
    assert [session.is_current for session in listed] == [True, False]
    html = response.content.decode()
    assert "203.0.113.5" in html and "this device" in html and "Sign out everywhere else" in html


def test_it_signs_out_another_session(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    phone = _sign_in_from(member, SAFARI_IPHONE, django_capture_on_commit_callbacks)
    laptop = _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    assert phone.get(reverse("accounts:settings")).status_code == 200
    phone_row = UserSession.objects.get(user=member, user_agent=SAFARI_IPHONE)

    response = laptop.post(reverse("accounts:session_sign_out", args=[phone_row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sessions")
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert AuditEntry.objects.filter(action="auth.session_end", actor_id=member.pk).exists()
    # The phone is signed out; the laptop is not.
    assert phone.get(reverse("accounts:settings")).status_code == 302
    assert laptop.get(reverse("accounts:settings")).status_code == 200


def test_it_signs_out_everywhere_else(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    others = [_sign_in_from(member, agent, django_capture_on_commit_callbacks) for agent in (SAFARI_IPHONE, CHROME_WINDOWS)]
    here = _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    response = here.post(reverse("accounts:sessions_sign_out_others"))
    assert response.status_code == 302
    assert [client.get(reverse("accounts:settings")).status_code for client in others] == [302, 302]
    assert here.get(reverse("accounts:settings")).status_code == 200
    assert UserSession.objects.filter(user=member).count() == 1
    assert AuditEntry.objects.get(action="auth.sessions_end_others").data == {"count": 2}


def test_it_signs_out_this_device_from_its_own_row(django_capture_on_commit_callbacks: Any) -> None:
    member = make_member()
    client = _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    row = UserSession.objects.get(user=member)
    response = client.post(reverse("accounts:session_sign_out", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_it_refuses_to_touch_another_members_session(django_capture_on_commit_callbacks: Any) -> None:
    owner, stranger = make_member(), make_member()
    _sign_in_from(owner, SAFARI_IPHONE, django_capture_on_commit_callbacks)
    row = UserSession.objects.get(user=owner)
    attacker = _sign_in_from(stranger, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    assert attacker.post(reverse("accounts:session_sign_out", args=[row.pk])).status_code == 404
    assert Session.objects.filter(session_key=row.session_key).exists()
    assert row.user_agent not in attacker.get(reverse("accounts:sessions")).content.decode()


def test_it_ends_all_sessions_of_a_member(django_capture_on_commit_callbacks: Any) -> None:
    member, bystander = make_member(), make_member()
    clients = [_sign_in_from(member, agent, django_capture_on_commit_callbacks) for agent in (SAFARI_IPHONE, FIREFOX_LINUX)]
    untouched = _sign_in_from(bystander, FIREFOX_LINUX, django_capture_on_commit_callbacks)
    assert end_all_sessions(member) == 2
    assert [client.get(reverse("accounts:settings")).status_code for client in clients] == [302, 302]
    assert untouched.get(reverse("accounts:settings")).status_code == 200
    assert not UserSession.objects.filter(user=member).exists()


def test_it_lists_sessions_in_constant_queries(django_capture_on_commit_callbacks: Any) -> None:
    counts = []
    for devices in (1, 6):
        member = make_member()
        for index in range(devices - 1):
            _sign_in_from(member, f"{CHROME_WINDOWS} test/{index}", django_capture_on_commit_callbacks)
        client = _sign_in_from(member, FIREFOX_LINUX, django_capture_on_commit_callbacks)
        url = reverse("accounts:sessions")
        client.get(url)  # the first request does the session's once-per-login bookkeeping
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["sessions"]) == devices
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_it_sends_allauths_sessions_page_to_ours(django_capture_on_commit_callbacks: Any) -> None:
    client = _sign_in_from(make_member(), FIREFOX_LINUX, django_capture_on_commit_callbacks)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sessions")
    assert Client().get("/accounts/sessions/").status_code == 302  # visitors: to the log-in
