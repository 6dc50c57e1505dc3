"""Background exports (SPEC §7), what the pages and the admin ask: a new export, a relaunch. The making is in
cnfs.exports.production, run by the workers (cnfs.exports.tasks)."""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts.models import Role
from cnfs.exports.models import Export
from cnfs.exports.production import PRODUCTEURS, export_stats_request
from cnfs.exports.tasks import export_make

logger = logging.getLogger(__name__)

# Without a broker (the demo on a bare machine), exports are made one at a time by a thread of the web
# process: the page answers at once, as with workers, instead of waiting for the file.
sans_broker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")


def export_request(
    *, demandeur, role: Role, nature: str, libelle: str, nom_fichier: str, parametres: dict
) -> Export:
    """Records an export asked in one of the requester's roles (`parametres["requete"]`: what it covers) and
    sends it to the workers once the transaction commits."""
    if nature not in PRODUCTEURS:
        raise ValueError(f"Nature d'export inconnue : {nature!r}")
    if role.user_id != demandeur.pk:
        raise ValueError("Un export se demande dans un rôle de son demandeur.")
    export = Export.objects.create(
        demandeur=demandeur,
        role=role,
        nature=nature,
        libelle=libelle[:300],
        nom_fichier=nom_fichier,
        parametres=parametres,
    )
    transaction.on_commit(lambda: _send(export.pk))
    return export


def _send(pk: int) -> None:
    if settings.EXPORTS_WITHOUT_BROKER_IN_A_THREAD:
        sans_broker.submit(_make_beside, pk)
        return
    try:
        export_make.delay(pk)
    except Exception:
        # Broker down (or, in eager mode, an error already recorded on the export): say it on /exports/.
        logger.exception("Export %s non lancé", pk)
        Export.objects.filter(pk=pk, etat=Export.Etat.EN_ATTENTE).update(
            etat=Export.Etat.ECHEC,
            erreur=(
                "Le service de préparation des exports n'a pas pu être joint. "
                "Relancez l'export dans un instant."
            ),
            finished_at=timezone.now(),
        )


def _make_beside(pk: int) -> None:
    # A failure is logged and recorded on the export by production.export_make, and read on /exports/.
    try:
        export_make.apply(args=(pk,))
    finally:
        connections.close_all()  # this thread's own connections


def export_relaunch(export: Export) -> Export:
    """Starts a failed or expired export again, with the same parameters, if its requester still reads what
    it covers (PerimetrePerdu otherwise)."""
    if not export.relancable:
        raise ValueError("Seul un export en échec ou expiré peut être relancé.")
    export_stats_request(export)
    Export.objects.filter(pk=export.pk).update(
        etat=Export.Etat.EN_ATTENTE,
        erreur="",
        progression=0,
        lignes=0,
        tentatives=0,
        started_at=None,
        finished_at=None,
        expires_at=None,
    )
    transaction.on_commit(lambda: _send(export.pk))
    export.refresh_from_db()
    return export
