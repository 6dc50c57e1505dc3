from importlib import import_module

import pytest
from django.apps import apps
from django.db.models import Count

from structures.models import Departement, Hub, Region
from structures.referentiel import REGION_COM

migration_referentiel = import_module("structures.migrations.0002_referentiel")

pytestmark = pytest.mark.django_db

DROM = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
COLLECTIVITES_OUTRE_MER = {"975", "977", "978", "986", "987", "988"}
REGIONS_METROPOLITAINES = {"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"}


def test_regions():
    assert Region.objects.count() == 19
    assert set(Region.objects.exclude(code=REGION_COM).values_list("code", flat=True)) == (
        REGIONS_METROPOLITAINES | set(DROM.values())
    )
    assert Region.objects.get(code="84").nom == "Auvergne-Rhône-Alpes"
    assert Region.objects.get(code="93").nom == "Provence-Alpes-Côte d'Azur"
    assert Region.objects.get(code=REGION_COM).nom == "Collectivités d'outre-mer"


def test_departements():
    codes = set(Departement.objects.values_list("code", flat=True))

    assert len(codes) == 101 + 6
    assert {"2A", "2B"} <= codes
    assert "20" not in codes
    assert {f"{n:02d}" for n in range(1, 96) if n != 20} <= codes
    assert Departement.objects.get(code="22").nom == "Côtes-d'Armor"
    assert Departement.objects.get(code="63").nom == "Puy-de-Dôme"


def test_each_drom_is_in_its_region():
    assert dict(Departement.objects.filter(code__in=DROM).values_list("code", "region")) == DROM
    # A DROM is a région of a single département.
    for region in DROM.values():
        assert Departement.objects.filter(region=region).count() == 1


def test_collectivites_outre_mer_are_in_the_pseudo_region():
    assert set(Departement.objects.filter(region=REGION_COM).values_list("code", flat=True)) == (
        COLLECTIVITES_OUTRE_MER
    )


def test_metropolitan_regions_have_their_departements():
    par_region = dict(Region.objects.annotate(n=Count("departements")).values_list("code", "n"))

    assert par_region["11"] == 8
    assert par_region["44"] == 10
    assert par_region["76"] == 13
    assert par_region["94"] == 2
    assert sum(par_region[code] for code in REGIONS_METROPOLITAINES) == 96


def test_hubs():
    assert Hub.objects.count() == 17
    assert Hub.objects.filter(nom__in=["Hinaura", "Hub du Sud", "Francil-in", "Les Assembleurs"]).count() == 4


def test_every_departement_of_a_region_is_in_exactly_one_hub():
    hubs_par_departement = dict(
        Departement.objects.exclude(region=REGION_COM).annotate(n=Count("hubs")).values_list("code", "n")
    )

    assert len(hubs_par_departement) == 101
    assert {code: n for code, n in hubs_par_departement.items() if n != 1} == {}


def test_hinaura_covers_auvergne_rhone_alpes():
    hinaura = Hub.objects.get(nom="Hinaura")

    assert set(hinaura.departements.values_list("code", flat=True)) == set(
        Departement.objects.filter(region="84").values_list("code", flat=True)
    )
    assert hinaura.departements.count() == 12
    assert Hub.objects.get(departements="69") == hinaura


def test_loading_again_restores_the_referentiel_without_duplicates():
    Departement.objects.filter(code="63").update(nom="Puy de Dome")
    hinaura = Hub.objects.get(nom="Hinaura")
    hinaura.departements.remove("15")
    hinaura.departements.add("2A")

    migration_referentiel.load_referentiel(apps, None)

    assert Departement.objects.get(code="63").nom == "Puy-de-Dôme"
    assert set(hinaura.departements.values_list("code", flat=True)) == set(
        Departement.objects.filter(region="84").values_list("code", flat=True)
    )
    assert (Region.objects.count(), Departement.objects.count(), Hub.objects.count()) == (19, 107, 17)
