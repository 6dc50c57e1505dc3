"""An account logs in with its own e-mail only: no address added without proof survives (SPEC §18)."""

import importlib

from allauth.account.models import EmailAddress
from django.apps import apps

from tests.accounts.factories import PASSWORD

purge = importlib.import_module("accounts.migrations.0004_adresses_non_prouvees").purge


def test_the_addresses_added_without_proof_are_deleted(world, client):
    attacker = world.prefet_ain
    EmailAddress.objects.create(
        user=attacker, email="futur-admin@anct.gouv.fr", primary=False, verified=False
    )
    EmailAddress.objects.create(user=attacker, email="PREFET@ain.gouv.fr", primary=True, verified=True)

    purge(apps, None)

    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["PREFET@ain.gouv.fr"]
    client.post("/accounts/login/", {"login": "futur-admin@anct.gouv.fr", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_admin_offers_no_table_of_login_addresses(world, login_as):
    client = login_as(world.admin)

    assert client.get("/admin/account/emailaddress/").status_code == 404
    assert client.get("/admin/account/emailaddress/add/").status_code == 404
