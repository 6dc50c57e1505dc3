"""Backup and restore of the service's data: the PostgreSQL database (pg_dump custom format) and the media
files (exports, ressourcerie) as a tar.gz, side by side in one folder. See docs/exploitation.md."""

import datetime
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

DUMP = "base.dump"
MEDIA = "media.tar.gz"


class SauvegardeError(Exception):
    pass


@dataclass(frozen=True)
class Base:
    """The connection parameters of a PostgreSQL database, as the client tools read them."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def courante(cls) -> "Base":
        if connection.vendor != "postgresql":
            raise SauvegardeError(
                "La sauvegarde par pg_dump demande PostgreSQL (la base SQLite se copie telle quelle)."
            )
        database = connection.settings_dict
        return cls(
            name=database["NAME"],
            host=database.get("HOST") or "",
            port=str(database.get("PORT") or ""),
            user=database.get("USER") or "",
            password=database.get("PASSWORD") or "",
        )

    def arguments(self) -> list[str]:
        options = [("--host", self.host), ("--port", self.port), ("--username", self.user)]
        return [part for option, value in options if value for part in (option, value)]

    def environ(self) -> dict[str, str]:
        return {**os.environ, **({"PGPASSWORD": self.password} if self.password else {})}


def _run(command: list[str], base: Base) -> None:
    result = subprocess.run(command, env=base.environ(), capture_output=True, text=True)
    if result.returncode != 0:
        raise SauvegardeError(f"{command[0]} a échoué : {result.stderr.strip()}")


def sauvegarde_create(dossier: Path, *, base: Base | None = None, media: Path | None = None) -> Path:
    """Writes `<dossier>/<AAAAMMJJ-HHMMSS>/` with the database dump and the media archive; returns it."""
    base = base or Base.courante()
    media = Path(media or settings.MEDIA_ROOT)
    cible = Path(dossier) / datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    cible.mkdir(parents=True)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={cible / DUMP}", *base.arguments(), base.name],
        base,
    )
    with tarfile.open(cible / MEDIA, "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname=".")
    return cible


def sauvegarde_restore(source: Path, *, base: Base | None = None, media: Path | None = None) -> None:
    """Puts back a backup made by `sauvegarde_create`: the database's objects are replaced (pg_restore
    --clean), the media folder is emptied then refilled. The target database must exist."""
    source = Path(source)
    if not (source / DUMP).exists() or not (source / MEDIA).exists():
        raise SauvegardeError(f"{source} ne contient pas {DUMP} et {MEDIA}.")
    base = base or Base.courante()
    media = Path(media or settings.MEDIA_ROOT)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *base.arguments(),
            f"--dbname={base.name}",
            str(source / DUMP),
        ],
        base,
    )
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    with tarfile.open(source / MEDIA, "r:gz") as archive:
        archive.extractall(media, filter="data")  # no absolute path, no "..", no device: stays inside
