"""The CRA export made by PostgreSQL's COPY (cnfs.exports.cras.cra_csv_copy): the same bytes as the Python
writer, the reference, on CRAs set with every trap of the conversions."""

import datetime

import pytest
from django.db import connection

from cnfs.exports import cras as cra_export
from cnfs.exports import producteurs
from cnfs.exports.models import Export
from cnfs.exports.production import csv_write
from conseillers.models import Permanence
from cra.enums import Activite, Canal, Duree, SousTheme, Theme
from cra.models import Cra
from stats.request import StatsRequest, StatsScope
from tests.conseillers.factories import ConseillerFactory
from tests.stats.factories import make_atelier, make_cra, recompute_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY … TO STDOUT n'existe que sur PostgreSQL"
    ),
]

UTC = datetime.UTC


@pytest.fixture
def pieges(world):
    """CRAs of the Villeurbanne structure covering the conversions' traps."""
    formule = ConseillerFactory(
        prenom="=Appel()", nom="+Nom", email_pro="-moins@exemple.fr", structure=world.villeurbanne
    )
    lieu = Permanence.objects.create(
        structure=world.villeurbanne,
        nom="@Lieu ; « central »",
        adresse="1 rue",
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
    )
    with recompute_once():
        made = [
            make_atelier(
                formule,
                participants=9,
                permanence=lieu,
                annotation="=1+1",
                nom_commune="\tCommune",
                themes=("smartphone", "autre", "courriel", "sante"),  # legacy themes with current ones
                sous_themes=("espace_sante", "tablette"),
                redirections=(("CAF", 2), ("AUTRE", 1, "=Mairie ; annexe"), ("AUTRE", 3, 'Asso "Lien"')),
            ),
            make_cra(world.alice, annotation=""),  # no lieu, empty annotation
            make_cra(world.alice, annotation='a;b "c"\nd\re', duree="60+", duree_minutes=95),
            make_cra(
                world.alice, annotation="\rcaché", redirections=(("AUTRE", 1, "-1"),), nb_participants=1
            ),
            make_atelier(world.alice, participants=4, nb_participants_recurrents=2, annotation="@SOMME"),
            make_cra(world.alice, annotation="supprimé", deleted=True),
            *(make_cra(world.alice, canal=canal) for canal in Canal),
            *(make_cra(world.alice, activite=activite) for activite in Activite),
            *(
                make_cra(world.alice, duree=duree, duree_minutes=60 if duree == Duree.PLUS_60 else None)
                for duree in Duree
            ),
        ]
    # Near midnight UTC, in and out of summer time: the day and hour written are those of Paris.
    moments = [
        (
            datetime.datetime(2024, 3, 30, 23, 30, tzinfo=UTC),
            datetime.datetime(2024, 3, 31, 1, 30, tzinfo=UTC),
        ),
        (
            datetime.datetime(2024, 10, 26, 22, 15, tzinfo=UTC),
            datetime.datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
        ),
        (
            datetime.datetime(2024, 12, 31, 23, 0, tzinfo=UTC),
            datetime.datetime(2025, 1, 1, 23, 59, tzinfo=UTC),
        ),
    ]
    for cra, (created_at, updated_at) in zip(made, moments, strict=False):
        Cra.objects.filter(pk=cra.pk).update(created_at=created_at, updated_at=updated_at)
    return made


def _python(path, cras, calls):
    return csv_write(path, cra_export.cra_lignes(cras), calls.append, pretes=True)


def test_copy_writes_the_bytes_of_the_python_writer(pieges, tmp_path):
    cras = Cra.objects.all()
    copy_calls, python_calls = [], []

    lignes = cra_export.cra_csv_copy(cras, tmp_path / "copy.csv", copy_calls.append)
    assert lignes == _python(tmp_path / "python.csv", cras, python_calls) == len(pieges) - 1  # deleted one

    content = (tmp_path / "copy.csv").read_bytes()
    assert content == (tmp_path / "python.csv").read_bytes()
    # The traps are in the file (not an identity of two empty files).
    assert content.startswith(b"\xef\xbb\xbfIdentifiant;")
    for cell in (
        "'=Appel()",
        "'+Nom",
        "'-moins@exemple.fr",
        '"\'@Lieu ; « central »"',
        "'\tCommune",
        Theme.SMARTPHONE.label,
        SousTheme.TABLETTE.label,
        '"CAF (2) ; Autre : =Mairie ; annexe (1) ; Autre : Asso ""Lien"" (3)"',
        '"a;b ""c""\nd\re"',
        ";31/03/2024 00:30;31/03/2024 03:30\r\n",
        ";27/10/2024 00:15;27/10/2024 02:30\r\n",
        ";01/01/2025 00:00;02/01/2025 00:59\r\n",
    ):
        assert cell.encode() in content, cell
    assert b"supprim" not in content


def test_copy_reports_its_progress_after_each_chunk(pieges, tmp_path, monkeypatch):
    monkeypatch.setattr(cra_export, "COPY_CHUNK", 4)
    cras = Cra.objects.filter(structure__nom="Mairie de Villeurbanne")
    copy_calls = []

    assert cra_export.cra_csv_copy(cras, tmp_path / "copy.csv", copy_calls.append) == 15
    _python(tmp_path / "python.csv", cras, [])

    assert copy_calls == [4, 8, 12]  # 15 CRAs by chunks of 4: the last chunk ends the file
    assert (tmp_path / "copy.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def test_no_cra_writes_the_header_alone(world, tmp_path):
    calls = []
    assert cra_export.cra_csv_copy(Cra.objects.all(), tmp_path / "copy.csv", calls.append) == 0
    assert (tmp_path / "copy.csv").read_bytes() == b"\xef\xbb\xbf" + ";".join(
        cra_export.HEADERS
    ).encode() + b"\r\n"
    assert calls == []


def test_the_background_export_uses_copy(world, pieges, tmp_path, monkeypatch):
    copies = []
    monkeypatch.setattr(cra_export, "cra_csv_copy", lambda *args: copies.append(args) or 0)
    request = StatsRequest(
        StatsScope.structure(world.villeurbanne.pk), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    )
    export = Export(nature=Export.Nature.CRA_CSV, parametres={"requete": request.as_json()})
    producteurs.cra_csv(export, str(tmp_path / "x.csv"), print)
    assert len(copies) == 1
