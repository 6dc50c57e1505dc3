"""/admin/ logs in through the site's login page; an account without access to the admin gets the 403 page,
not a redirection back to the login it already passed (which sent it to /admin/ again, forever)."""

import pytest

ROLES = ("gestionnaire_villeurbanne", "prefet_rhone", "prefet_ara", "hub", "emma", "alice")


@pytest.mark.parametrize("account", ROLES)
def test_an_account_without_admin_access_gets_the_403_page(world, login_as, account):
    user = getattr(world, account)
    client = login_as(getattr(user, "user", user))

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert client.get("/admin/login/?next=/admin/structures/structure/").status_code == 403


def test_anonymous_visitors_get_the_sites_login_page(db, client):
    response = client.get("/admin/structures/structure/", follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/admin/structures/structure/", 302)]
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_admin_login_address_sends_anonymous_visitors_to_the_sites_login(db, client):
    response = client.get("/admin/login/?next=/admin/structures/structure/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fstructures%2Fstructure%2F"


def test_the_national_team_gets_the_admin(world, login_as):
    client = login_as(world.admin)

    assert client.get("/admin/").status_code == 200
    # Already logged in: the login address sends on to where it was going.
    response = client.get("/admin/login/?next=/admin/structures/structure/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/structures/structure/"
