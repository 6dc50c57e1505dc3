"""The making of the background exports (SPEC §7), what the workers do: make, expire, notice interruptions.

An export is made by `export_make`, run by the Celery task cnfs.exports.tasks.export_make: the file is
written to a temporary file and only stored, and offered, once complete — a failed or interrupted export
never leaves a partial file. A replayed task does nothing to a finished export; a task redelivered after a
worker crash starts the export again from the beginning, up to MAX_TENTATIVES times.

An export is made, relaunched and downloaded only while the role it was asked in still reads what it covers
(SPEC §18, `export_stats_request`): the scope is derived again from that role as it is then.
"""

import dataclasses
import datetime
import logging
import os
import tempfile
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cnfs.exports.models import Export
from cnfs.exports.tableur import Cell, Tableur
from conseillers.scoping import Scope
from stats.acces import perimetre_autorise
from stats.request import StatsRequest

logger = logging.getLogger(__name__)

DUREE_CONSERVATION = datetime.timedelta(days=7)
DUREE_MAX = datetime.timedelta(hours=2)  # an export still "en cours" after this was interrupted
MAX_TENTATIVES = 3
PROGRESSION_TOUS_LES = 5000  # lines between two progress updates

Progression = Callable[[int], None]
# Nature -> (extension, producer writing the file at the path given, calling the progress with lines done).
Producteur = Callable[[Export, str, Progression], int]
PRODUCTEURS: dict[str, tuple[str, Producteur]] = {}
# Natures that show CRAs or conseillers, not only figures: their requester must read them in detail.
DETAIL = frozenset({Export.Nature.CRA_CSV, Export.Nature.CONSEILLERS_CSV})


class PerimetrePerdu(Exception):
    """The requester no longer reads what an export covers (SPEC §18)."""

    def __init__(self):
        super().__init__(
            "Vous n'avez plus accès à ce périmètre avec le rôle dans lequel cet export a été demandé : "
            "le fichier n'est ni préparé ni servi."
        )


def export_stats_request(export: Export, *, fige: bool = False) -> StatsRequest:
    """What an export covers as its requester may read it now, from the role it was asked in (a coordinator's
    team as it is now); raises PerimetrePerdu when the role was taken away or reads it no more. `fige`: for
    its file, already made (a team must still include everyone in it)."""
    role = Role.objects.with_scope().filter(pk=export.role_id, user_id=export.demandeur_id).first()
    if role is None or "requete" not in export.parametres:
        raise PerimetrePerdu
    requete = StatsRequest.from_json(export.parametres["requete"])
    scope = perimetre_autorise(Scope(role), requete.scope, cras=export.nature in DETAIL, fige=fige)
    if scope is None:
        raise PerimetrePerdu
    return dataclasses.replace(requete, scope=scope)


def producteur(nature: str, extension: str):
    """Registers the function that makes the files of a nature of export."""

    def register(function: Producteur) -> Producteur:
        PRODUCTEURS[nature] = (extension, function)
        return function

    return register


def csv_write(
    path: str, lignes: Iterable[Iterable[Cell]], progression: Progression, *, pretes: bool = False
) -> int:
    """Writes CSV lines (header included) to `path` with the conventions of cnfs.exports.tableur
    (`pretes`: the cells are already converted); returns the number of data lines."""
    count = -1
    with open(path, "w", encoding="utf-8", newline="") as stream:
        tableur = Tableur(stream)
        write = tableur.ligne_prete if pretes else tableur.ligne
        for count, ligne in enumerate(lignes):
            write(ligne)
            if count and count % PROGRESSION_TOUS_LES == 0:
                progression(count)
    return max(count, 0)


def _start(pk: int) -> Export | None:
    """Marks the export as running (a new attempt); None when there is nothing to do."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=pk).first()
        if export is None or export.etat not in (Export.Etat.EN_ATTENTE, Export.Etat.EN_COURS):
            return None  # replayed after it finished, failed or expired: nothing to do
        if export.tentatives >= MAX_TENTATIVES:
            _fail(
                export,
                "L'export a été interrompu plusieurs fois. Relancez-le ; s'il échoue encore, "
                "écrivez à l'équipe nationale.",
            )
            return None
        export.etat = Export.Etat.EN_COURS
        export.tentatives += 1
        export.started_at = timezone.now()
        export.progression = 0
        export.lignes = 0
        export.save(update_fields=["etat", "tentatives", "started_at", "progression", "lignes"])
    return export


def _fail(export: Export, message: str) -> None:
    Export.objects.filter(pk=export.pk).update(
        etat=Export.Etat.ECHEC, erreur=message, finished_at=timezone.now(), progression=0
    )


def _progression(export: Export, total: int | None) -> Progression:
    def update(lignes: int) -> None:
        progression = min(99, lignes * 100 // total) if total else 0
        Export.objects.filter(pk=export.pk).update(lignes=lignes, progression=progression)

    return update


def export_make(pk: int) -> Export | None:
    """Makes the file of an export; returns the export, or None when there was nothing to do."""
    export = _start(pk)
    if export is None:
        return None
    try:
        requete = export_stats_request(export)
    except PerimetrePerdu as error:
        _fail(export, str(error))
        return Export.objects.get(pk=pk)
    # The producers read the request as it is now (a coordinator's team of today); the download checks it.
    export.parametres = {**export.parametres, "requete": requete.as_json()}
    extension, produire = PRODUCTEURS[export.nature]
    descriptor, path = tempfile.mkstemp(prefix="export-", suffix=f".{extension}")
    os.close(descriptor)
    try:
        lignes = produire(export, path, _progression(export, export.parametres.get("total")))
        with open(path, "rb") as stream, transaction.atomic():
            export.fichier.save(f"export.{extension}", File(stream), save=False)
            export.taille = export.fichier.size
            export.etat = Export.Etat.TERMINE
            export.lignes = lignes
            export.progression = 100
            export.finished_at = timezone.now()
            export.expires_at = export.finished_at + DUREE_CONSERVATION
            export.erreur = ""
            export.save()
    except Exception as error:
        logger.exception("Export %s en échec", pk)
        _fail(
            export,
            f"La préparation du fichier a échoué ({error.__class__.__name__}). Vous pouvez la relancer.",
        )
        return Export.objects.get(pk=pk)
    finally:
        os.unlink(path)
    _notify(export)
    return export


def _notify(export: Export) -> None:
    """E-mails the requester that his file is ready (a failure to send is logged, the export stays done)."""
    context = {
        "export": export,
        "url": settings.SITE_URL + reverse("stats:exports"),
        "site_name": settings.SITE_NAME,
    }
    try:
        send_mail(
            subject=render_to_string("stats/email/export_pret_subject.txt", context).strip(),
            message=render_to_string("stats/email/export_pret_message.txt", context),
            from_email=None,
            recipient_list=[export.demandeur.email],
        )
    except Exception:
        logger.exception("E-mail de l'export %s non envoyé", export.pk)


def exports_expire(now: datetime.datetime | None = None) -> int:
    """Deletes the files of the exports older than DUREE_CONSERVATION; returns how many expired."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(etat=Export.Etat.TERMINE, expires_at__lte=now):
        if export.fichier:
            export.fichier.delete(save=False)
        Export.objects.filter(pk=export.pk).update(etat=Export.Etat.EXPIRE, fichier="", taille=0)
        count += 1
    return count


def exports_fail_interrupted(now: datetime.datetime | None = None) -> int:
    """Marks as failed the exports still running long after they started (their worker died and the task
    was not delivered again)."""
    now = now or timezone.now()
    return Export.objects.filter(etat=Export.Etat.EN_COURS, started_at__lt=now - DUREE_MAX).update(
        etat=Export.Etat.ECHEC,
        erreur="La préparation du fichier a été interrompue. Vous pouvez la relancer.",
        finished_at=now,
    )
