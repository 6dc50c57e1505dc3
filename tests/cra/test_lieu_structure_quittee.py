"""A structure a conseiller left keeps its lieux: his CRAs there are those of the days it employed him."""

from html import unescape

from accounts.services import conseiller_account_link
from cra.models import Cra
from tests.cra.test_views import lieu_of, post_data


def _denis_with_a_lieu_of_villeurbanne(world, login_as):
    # Denis worked in Villeurbanne until 1 March 2024, then moved to the association.
    lieu = lieu_of(world.denis, principale=False, nom="Médiathèque de Villeurbanne")
    lieu.structure = world.villeurbanne
    lieu.save()
    return lieu, login_as(conseiller_account_link(conseiller=world.denis))


def test_a_cra_of_today_cannot_use_a_lieu_of_the_structure_he_left(world, login_as):
    lieu, client = _denis_with_a_lieu_of_villeurbanne(world, login_as)

    response = client.post("/coop/cra/nouveau/", post_data(lieu))

    assert response.status_code == 200
    assert "appartient à une structure qui ne vous employait pas le" in unescape(response.content.decode())
    assert not Cra.objects.filter(conseiller=world.denis).exists()


def test_a_cra_of_the_days_he_worked_there_uses_its_lieu(world, login_as):
    lieu, client = _denis_with_a_lieu_of_villeurbanne(world, login_as)

    response = client.post("/coop/cra/nouveau/", post_data(lieu, date_accompagnement="01/02/2024"))

    assert response.status_code == 302
    cra = Cra.objects.get(conseiller=world.denis)
    assert (cra.permanence_id, cra.structure_id) == (lieu.pk, world.villeurbanne.pk)
