"""The aggregates' state and the background exports in the admin, and the recompute of a territory's
aggregates asked by the national team (the actions of the territories' admins, structures/admin.py).

The aggregate rows themselves are not shown (millions of them): `check_stats` compares them to the CRAs,
and a territory's rows are recomputed from its CRAs by key (stats.services.aggregates_recompute), never
edited by hand."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.db.models import QuerySet

from cnfs.admin_outils import LectureSeuleMixin, lien
from cnfs.audit import CHANGE, journal_ecrire
from cra.models import Cra
from stats.exports.services import PerimetrePerdu, export_relancer
from stats.models import AgregatJour, EtatAgregats, Export
from stats.services import AggregateKey
from stats.tasks import aggregates_recompute_on_commit

# Keys per recompute task: each task's statements hold an OR of its keys, and SQLite caps the depth of an
# expression at 1,000.
LOT = 200


def agregats_permission(request) -> bool:
    """Who may ask for a recompute: the national team (« modifier l'état des agrégats »)."""
    return request.user.has_perm("stats.change_etatagregats")


def agregats_recalculer(*, cras: QuerySet[Cra], lignes: QuerySet[AgregatJour]) -> int:
    """Enqueues on commit, by batches, the recompute of the keys of these CRAs (deleted ones included) and
    of these aggregate rows (a row whose CRAs are gone, or moved, is deleted); returns the number of keys."""
    cles = {
        AggregateKey(*row)
        for row in cras.order_by()
        .values_list("date_accompagnement", "structure_id", "conseiller_id")
        .distinct()
    }
    cles |= {AggregateKey(*row) for row in lignes.values_list("jour", "structure_id", "conseiller_id")}
    cles = sorted(cles)
    for debut in range(0, len(cles), LOT):
        aggregates_recompute_on_commit(cles[debut : debut + LOT])
    return len(cles)


def departements_recalculer(codes: Iterable[str]) -> int:
    """Recomputes the aggregates of the départements `codes`: their structures' CRAs and their rows."""
    codes = list(codes)
    return agregats_recalculer(
        cras=Cra.objects.filter(structure__departement__in=codes),
        lignes=AgregatJour.objects.filter(departement__in=codes),
    )


class RecalculAgregatsMixin:
    """The action « Recalculer les agrégats » on a territory's changelist: `departements_de(queryset)`
    gives the département codes of the selected territories."""

    def departements_de(self, queryset) -> list[str]:
        raise NotImplementedError

    def has_agregats_permission(self, request) -> bool:
        return agregats_permission(request)

    @admin.action(description="Recalculer les agrégats des statistiques", permissions=["agregats"])
    def recalculer_agregats(self, request, queryset):
        territoires = list(queryset)
        cles = departements_recalculer(self.departements_de(queryset))
        journal_ecrire(
            user=request.user,
            entries=[
                (t, CHANGE, f"Recalcul des agrégats des statistiques demandé ({cles} clés).")
                for t in territoires
            ],
        )
        self.message_user(
            request,
            f"Recalcul des agrégats lancé pour {', '.join(map(str, territoires))} ({cles} clés jour × "
            "structure × conseiller) : les statistiques seront à jour dans quelques instants.",
            messages.SUCCESS,
        )


@admin.register(EtatAgregats)
class EtatAgregatsAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read only: the aggregates are written by stats.services alone (rebuild_stats, the recomputes)."""

    list_display = ["reconstruit_le", "duree_secondes", "lignes"]


@admin.register(Export)
class ExportAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """The background exports (SPEC §7): followed, relaunched when failed; the files are served by
    /exports/ to their requester only, never from here. Not deleted here: the file would stay in the
    storage; expired exports lose it every night."""

    list_display = [
        "libelle",
        "demandeur_lien",
        "nature",
        "etat",
        "progression",
        "lignes",
        "cree_le",
        "termine_le",
    ]
    list_filter = ["etat", "nature"]
    list_select_related = ["demandeur"]
    search_fields = ["libelle", "nom_fichier", "demandeur__email"]
    date_hierarchy = "cree_le"
    actions = ["relancer"]
    fields = [
        "libelle",
        "demandeur_lien",
        "role",
        "nature",
        "nom_fichier",
        "parametres",
        "etat",
        "progression",
        "lignes",
        "taille",
        "erreur",
        "tentatives",
        "cree_le",
        "demarre_le",
        "termine_le",
        "expire_le",
    ]
    readonly_fields = fields

    @admin.display(description="demandeur", ordering="demandeur__email")
    def demandeur_lien(self, export):
        return lien(export.demandeur)

    def has_relancer_permission(self, request) -> bool:
        return request.user.has_perm("stats.change_export")

    @admin.action(description="Relancer les exports en échec ou expirés", permissions=["relancer"])
    def relancer(self, request, queryset):
        relances, perdus = [], 0
        for export in (export for export in queryset if export.relancable):
            try:
                relances.append(export_relancer(export))
            except PerimetrePerdu:  # its requester no longer reads its scope (SPEC §18)
                perdus += 1
        journal_ecrire(
            user=request.user, entries=[(export, CHANGE, "Export relancé.") for export in relances]
        )
        ignores = len(queryset) - len(relances) - perdus
        self.message_user(
            request,
            f"{len(relances)} export(s) relancé(s)"
            + (f" ; {ignores} ignoré(s) (ni en échec ni expirés)" if ignores else "")
            + (f" ; {perdus} refusé(s) : leur demandeur n'a plus accès à leur périmètre" if perdus else "")
            + ".",
            messages.SUCCESS,
        )
