"""The member gate's one query (second factor, terms, roles, unread badge) and the compiled-once
reads it runs on (core/prepared.py)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import sign_in
from peerhaven.accounts.models import Role, TermsVersion, User
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.policies import has_mfa, prime_member_state, user_roles
from peerhaven.core.prepared import PreparedRead
from peerhaven.notifications.models import Notification
from peerhaven.notifications.services import notify

pytestmark = pytest.mark.django_db

PAGE = "/notifications/preferences/"  # a member page in the base layout, with the badge


def _badge(html: str) -> str | None:
    match = re.search(r'<span class="badge">(\d+)<span class="visually-hidden">', html)
    return match.group(1) if match else None


def _tables_per_query(queries: list[dict[str, str]], table: str) -> int:
    return sum(1 for query in queries if table in query["sql"])


def test_a_member_page_asks_the_gate_questions_in_one_query() -> None:
    member = make_member(verified=True, roles=(Role.MODERATOR, Role.SUPPORTER))
    notify(user=member, kind="licence.verified", link="/verification/")
    client = sign_in(Client(), member)
    client.get(PAGE)  # the session's first page may write it

    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)

    assert response.status_code == 200
    queries = captured.captured_queries
    gate = [query for query in queries if "mfa_authenticator" in query["sql"]]
    assert len(gate) == 1
    for table in ('"accounts_termsacceptance"', '"accounts_rolegrant"', '"notifications_notification"'):
        assert _tables_per_query(queries, table) == 1, table
    assert _badge(response.content.decode()) == "1"


def test_it_primes_each_answer_as_the_separate_functions_would_give_it() -> None:
    member = make_member(verified=True, roles=(Role.MODERATOR, Role.STAFF))
    for _ in range(3):
        notify(user=member, kind="licence.verified", link="/verification/")
    fresh = User.objects.get(pk=member.pk)
    prime_member_state(fresh)

    assert has_mfa(fresh) is True
    assert user_roles(fresh) == frozenset({Role.MODERATOR, Role.STAFF})
    assert fresh._peerhaven_unread == 3  # type: ignore[attr-defined]
    assert fresh._peerhaven_terms_pending is None  # type: ignore[attr-defined]

    bare = make_member(mfa=False)
    bare_fresh = User.objects.get(pk=bare.pk)
    prime_member_state(bare_fresh)
    assert has_mfa(bare_fresh) is False
    assert user_roles(bare_fresh) == frozenset()
    assert bare_fresh._peerhaven_unread == 0  # type: ignore[attr-defined]


def test_new_terms_still_send_the_member_to_accept_them() -> None:
    member = make_member(verified=True)
    client = sign_in(Client(), member)
    assert client.get(PAGE).status_code == 200
    TermsVersion.objects.create(version="9.9", terms="New terms.", guidelines="New guidelines.")

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/me/terms/")


def test_a_removed_second_factor_and_a_removed_role_take_effect_on_the_next_page() -> None:
    member = make_member(verified=True, roles=(Role.STAFF,))
    client = sign_in(Client(), member, passkey=True)
    assert client.get("/staff/").status_code == 200
    member.role_grants.all().delete()
    assert client.get("/staff/").status_code == 404
    Authenticator.objects.filter(user=member).delete()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/me/secure/")


def test_marking_read_clears_the_badge_on_the_same_page() -> None:
    member = make_member(verified=True)
    notify(user=member, kind="licence.verified", link="/verification/")
    client = sign_in(Client(), member)
    assert _badge(client.get(PAGE).content.decode()) == "1"

    response = client.post("/notifications/read-all/", follow=True)

    assert response.status_code == 200
    assert _badge(response.content.decode()) is None
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()


def test_a_prepared_read_compiles_once_and_binds_every_value() -> None:
    built: list[int] = []

    def build(user_id: int, other_id: int):  # type: ignore[no-untyped-def]
        built.append(user_id)
        return User.objects.filter(pk__in=[user_id, other_id]).order_by("pk").values_list("pk", "email")

    read = PreparedRead(build, arity=2)
    one, two = make_member(), make_member()

    assert read.rows(one.pk, two.pk) == [(one.pk, one.email), (two.pk, two.email)]
    assert read.rows(two.pk, 0) == [(two.pk, two.email)]
    assert len(built) == 1  # compiled once, run twice
    with CaptureQueriesContext(connection) as captured:
        read.rows(one.pk, one.pk)
    assert str(one.pk) not in captured.captured_queries[0]["sql"].split("WHERE")[0]
    with pytest.raises(TypeError):
        read.rows("1 OR 1=1", 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        read.rows(1)


def test_a_prepared_read_refuses_a_query_that_does_not_bind_its_value() -> None:
    read = PreparedRead(lambda user_id: User.objects.all().values_list("pk"), arity=1)

    with pytest.raises(ValueError):
        read.rows(1)


def test_prepared_instances_match_what_the_queryset_builds() -> None:
    from peerhaven.accounts.models import Profile

    one = make_member(verified=True)
    Profile.objects.filter(user=one).update(pseudonym="quiet-heron")

    def build(user_id: int):  # type: ignore[no-untyped-def]
        return Profile.objects.filter(user_id=user_id).select_related("user").only(
            "pseudonym", "user__verified_until", "user__date_joined").order_by("pk")

    read = PreparedRead(build, arity=1)
    (prepared,) = read.instances(one.pk)
    (ordinary,) = list(build(one.pk))

    assert isinstance(prepared, Profile)
    assert prepared.pk == ordinary.pk
    assert prepared.pseudonym == ordinary.pseudonym == "quiet-heron"  # field converters applied
    assert prepared.user.date_joined == ordinary.user.date_joined  # a datetime, on SQLite too
    assert prepared.user.verified_until == ordinary.user.verified_until
    assert prepared.get_deferred_fields() == ordinary.get_deferred_fields()
    assert read.instances(0) == []
    with pytest.raises(ValueError):
        read.instances(2**63)
