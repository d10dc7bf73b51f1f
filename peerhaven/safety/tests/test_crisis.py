"""Crisis resources: the public page puts the viewer's country first; staff edit the list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerhaven.accounts.models import Profile
from peerhaven.safety.models import CrisisResource
from peerhaven.safety.tests.conftest import audit_actions

pytestmark = pytest.mark.django_db

_FORM = {"country": "nz", "name": "Need to talk? 1737", "phone": "1737", "text": "Text 1737",
         "url": "https://1737.org.nz", "description": "Free, 24/7.", "order": "0", "is_active": "on"}


def test_it_seeds_well_known_lines() -> None:
    seeded = {(r.country, r.name): r for r in CrisisResource.objects.all()}
    assert seeded[("US", "988 Suicide & Crisis Lifeline")].url == "https://988lifeline.org"
    assert seeded[("GB", "Samaritans")].phone == "116 123"
    assert seeded[("IE", "Samaritans")].phone == "116 123"
    assert seeded[("AU", "Lifeline")].phone == "13 11 14"
    assert seeded[("ES", "Línea 024")].phone == "024"
    assert seeded[("MX", "Línea de la Vida")].phone == "800 911 2000"
    assert seeded[("CA", "9-8-8 Suicide Crisis Helpline")].phone == "988"
    assert ("", "Your local emergency number") in seeded


def test_it_shows_the_crisis_page_to_visitors() -> None:
    response = Client().get(reverse("safety:crisis"))
    assert response.status_code == 200
    assert "Samaritans" in response.content.decode()


def test_it_shows_the_viewers_country_first(client_for, verified_member) -> None:
    Profile.objects.filter(user=verified_member).update(country="GB")
    page = client_for(verified_member).get(reverse("safety:crisis")).content.decode()
    assert "Where you are (GB)" in page
    assert page.index("Samaritans") < page.index("988 Suicide")
    assert page.index("Samaritans") < page.index("Your local emergency number")


def test_it_lets_a_visitor_choose_a_country() -> None:
    local = Client().get(reverse("safety:crisis"), {"country": "au"}).context["local"]
    assert [resource.name for resource in local] == ["Lifeline"]


def test_it_lets_staff_add_a_crisis_resource(staff_client, staff) -> None:
    response = staff_client.post(reverse("safety:crisis_create"), _FORM)
    assert response.status_code == 302
    resource = CrisisResource.objects.get(name="Need to talk? 1737")
    assert resource.country == "NZ" and resource.is_active
    assert audit_actions(actor_id=staff.pk, target_type="safety.crisisresource", target_id=str(resource.pk)) == ["crisis_resource.create"]
    assert "Need to talk? 1737" in Client().get(reverse("safety:crisis"), {"country": "NZ"}).content.decode()


def test_it_lets_staff_edit_a_crisis_resource(staff_client, staff) -> None:
    resource = CrisisResource.objects.get(country="AU", name="Lifeline")
    response = staff_client.post(
        reverse("safety:crisis_edit", kwargs={"pk": resource.pk}),
        {**_FORM, "country": "AU", "name": "Lifeline Australia", "phone": "13 11 14"},
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.name == "Lifeline Australia"
    assert audit_actions(actor_id=staff.pk, target_type="safety.crisisresource", target_id=str(resource.pk)) == ["crisis_resource.update"]


def test_it_rejects_a_bad_country_code(staff_client) -> None:
    response = staff_client.post(reverse("safety:crisis_create"), {**_FORM, "country": "N1"})
    assert response.status_code == 400
    assert not CrisisResource.objects.filter(name=_FORM["name"]).exists()


def test_it_lets_staff_stop_showing_a_resource(staff_client, staff) -> None:
    resource = CrisisResource.objects.get(country="MX")
    response = staff_client.post(reverse("safety:crisis_deactivate", kwargs={"pk": resource.pk}))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert not resource.is_active
    assert audit_actions(actor_id=staff.pk, target_type="safety.crisisresource", target_id=str(resource.pk)) == ["crisis_resource.deactivate"]
    assert "Línea de la Vida" not in Client().get(reverse("safety:crisis")).content.decode()
    assert "Línea de la Vida" in staff_client.get(reverse("safety:crisis_manage")).content.decode()


@pytest.mark.parametrize("roles", [(), ("moderator",), ("verifier",)])
def test_it_hides_crisis_editing_from_non_staff(member_factory, client_for, roles) -> None:
    client = client_for(member_factory(verified=True, roles=roles), passkey=True)
    resource = CrisisResource.objects.get(country="US")
    assert client.get(reverse("safety:crisis_manage")).status_code == 404
    assert client.get(reverse("safety:crisis_edit", kwargs={"pk": resource.pk})).status_code == 404
    assert client.post(reverse("safety:crisis_edit", kwargs={"pk": resource.pk}),
                       {**_FORM, "name": "x"}).status_code == 404
    assert client.post(reverse("safety:crisis_deactivate", kwargs={"pk": resource.pk})).status_code == 404
    resource.refresh_from_db()
    assert resource.is_active and resource.name == "988 Suicide & Crisis Lifeline"
    assert audit_actions(action__startswith="crisis_resource.") == []
