"""Backup and restore (docs/exploitation.md): a backup restored into an empty database and an empty media
folder gives back the same rows and the same files."""

import datetime
import subprocess
import uuid

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection

from cnfs.sauvegarde import Base, SauvegardeError, sauvegarde_create, sauvegarde_restore
from cra.models import Cra
from tests.stats.factories import make_cra

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump demande PostgreSQL.")

TABLES = ("cra_cra", "conseillers_conseiller", "structures_structure", "accounts_user", "stats_agregatjour")


def _counts(base: Base) -> dict[str, int]:
    with psycopg.connect(dbname=base.name, host=base.host, port=base.port, user=base.user) as database:
        return {table: database.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture
def empty_database():
    courante = Base.courante()
    base = Base(f"cnfs_restauration_{uuid.uuid4().hex[:8]}", courante.host, courante.port, courante.user)
    subprocess.run(["createdb", *base.arguments(), base.name], check=True)
    yield base
    subprocess.run(["dropdb", "--if-exists", *base.arguments(), base.name], check=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_the_database_and_the_files(world, tmp_path, empty_database):
    for day in (1, 2, 3):
        make_cra(world.alice, date=datetime.date(2024, 2, day))
    media = tmp_path / "media"
    FileSystemStorage(location=media).save("exports/2026/11/export.csv", ContentFile(b"\xef\xbb\xbfa;b\r\n"))
    before = _counts(Base.courante())
    assert before["cra_cra"] == 3

    backup = sauvegarde_create(tmp_path / "sauvegardes", media=media)

    restored_media = tmp_path / "media-restauree"
    (restored_media / "ancien").mkdir(parents=True)
    sauvegarde_restore(backup, base=empty_database, media=restored_media)
    assert _counts(empty_database) == before
    assert (restored_media / "exports/2026/11/export.csv").read_bytes() == b"\xef\xbb\xbfa;b\r\n"
    assert not (restored_media / "ancien").exists()
    # Restoring again over the restored database replaces, never duplicates.
    sauvegarde_restore(backup, base=empty_database, media=restored_media)
    assert _counts(empty_database) == before
    assert Cra.objects.count() == 3


def test_a_folder_that_is_not_a_backup_is_refused(db, tmp_path):
    with pytest.raises(SauvegardeError, match="ne contient pas base.dump"):
        sauvegarde_restore(tmp_path)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_commands(world, tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("sauvegarder", str(tmp_path / "sauvegardes"))
    assert "Sauvegarde écrite dans" in capsys.readouterr().out
    assert len(list((tmp_path / "sauvegardes").iterdir())) == 1
