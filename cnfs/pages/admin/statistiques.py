"""The aggregates' state in the admin, and the recompute of a territory's aggregates asked by the national
team (the actions of the territories' admins, cnfs/pages/admin/structures.py).

The aggregate rows themselves are not shown (millions of them): `check_stats` compares them to the CRAs,
and a territory's rows are recomputed from its CRAs by key (stats.services.aggregates_recompute), never
edited by hand."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.db.models import QuerySet

from cnfs.socle.admin_outils import LectureSeuleMixin
from cnfs.socle.audit import CHANGE, journal_write
from cra.models import Cra
from stats.models import AgregatJour, EtatAgregats
from stats.services import AggregateKey
from stats.tasks import aggregates_recompute_on_commit

# Keys per recompute task: each task's statements hold an OR of its keys, and SQLite caps the depth of an
# expression at 1,000.
LOT = 200


def agregats_permission(request) -> bool:
    """Who may ask for a recompute: the national team (« modifier l'état des agrégats »)."""
    return request.user.has_perm("stats.change_etatagregats")


def aggregates_recompute_for(*, cras: QuerySet[Cra], lignes: QuerySet[AgregatJour]) -> int:
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


def departements_aggregates_recompute(codes: Iterable[str]) -> int:
    """Recomputes the aggregates of the départements `codes`: their structures' CRAs and their rows."""
    codes = list(codes)
    return aggregates_recompute_for(
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
        cles = departements_aggregates_recompute(self.departements_de(queryset))
        journal_write(
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

    list_display = ["rebuilt_at", "duree_secondes", "lignes"]
