"""Reads of the pilotage lists and fiches that count CRAs: the conseillers of a scope with their CRAs over a
period, a conseiller's counters and fiche. The counts come from the daily aggregates (stats.models), in one
query per list whatever its length."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from cnfs.socle.periode import Periode
from conseillers.models import Conseiller, Contrat, Permanence
from conseillers.scoping import Scope
from conseillers.selectors import employeur_of, lieux_of_conseiller, poste_visible
from stats.models import AgregatJour
from structures.models import Structure


def with_cra(conseillers: QuerySet[Conseiller], periode: Periode, *, structure_id: int | None = None):
    """Annotates `cra_periode` (CRA saisis over the period) and `dernier_cra` (the day of the last one) from
    the daily aggregates: two correlated subqueries on the (conseiller, jour) index, so a whole list is one
    query whatever its length. `structure_id`: only the CRAs made for that structure."""
    rows = AgregatJour.objects.filter(conseiller=OuterRef("pk"), jour__range=(periode.du, periode.au))
    if structure_id is not None:
        rows = rows.filter(structure_id=structure_id)
    total = rows.order_by().values("conseiller").annotate(total=Sum("cra")).values("total")
    return conseillers.annotate(
        cra_periode=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        dernier_cra=Subquery(rows.order_by("-jour").values("jour")[:1]),
    )


def personnes_sum() -> Sum:
    """The people accompanied (SPEC §5 "personnes", stats.results.key_figures) summed over aggregate rows."""
    return Sum(
        F("participants_ateliers") + F("activite_individuel") + F("activite_ponctuel") - F("recurrents")
    )


def structures_with_activite(structures: QuerySet[Structure], periode: Periode) -> QuerySet[Structure]:
    """Annotates `cra_periode` and `personnes_periode`: the CRAs made for each structure over the period and
    the people they accompanied, from the daily aggregates: two correlated subqueries on the (structure,
    jour) index, so a whole list is one query whatever its length."""
    rows = (
        AgregatJour.objects.filter(structure=OuterRef("pk"), jour__range=(periode.du, periode.au))
        .order_by()
        .values("structure")
    )
    return structures.annotate(
        cra_periode=Coalesce(
            Subquery(rows.annotate(n=Sum("cra")).values("n"), output_field=IntegerField()), 0
        ),
        personnes_periode=Coalesce(
            Subquery(rows.annotate(n=personnes_sum()).values("n"), output_field=IntegerField()), 0
        ),
    )


def conseillers_for_pilotage(scope: Scope, periode: Periode) -> QuerySet[Conseiller]:
    """The conseillers of the scope with their current structure and their CRAs over the period, in name
    order. `structure_lisible`: the role may open the fiche of his current structure (a préfet reads a
    conseiller who worked in his territory, not the structure outside it that employs him now)."""
    conseillers = (
        scope.conseillers()
        .select_related("structure__departement")
        .annotate(
            structure_lisible=ExpressionWrapper(
                Q(structure__in=scope.structures()), output_field=BooleanField()
            )
        )
    )
    return with_cra(conseillers, periode).order_by("nom", "prenom", "pk")


def conseillers_of_structure(scope: Scope, structure_id: int, periode: Periode) -> QuerySet[Conseiller]:
    """The conseillers of the scope a structure employs (`actuel`) or employed, current ones first, with the
    CRAs made for it over the period and, for the former ones, the day their last contract with it ended
    (`depart`: its rupture or its end)."""
    contrats = Contrat.objects.filter(structure_id=structure_id)
    fin = contrats.filter(conseiller=OuterRef("pk")).order_by("-date_debut")
    conseillers = (
        scope.conseillers()
        .filter(Q(structure_id=structure_id) | Q(pk__in=contrats.values("conseiller")))
        .annotate(
            actuel=ExpressionWrapper(Q(structure_id=structure_id), output_field=BooleanField()),
            depart=Subquery(fin.values(date=Coalesce("date_rupture", "date_fin"))[:1]),
        )
    )
    conseillers = with_cra(conseillers, periode, structure_id=structure_id)
    return conseillers.order_by("-actuel", "nom", "prenom", "pk")


@dataclass(frozen=True)
class CompteursCra:
    """A conseiller's CRAs on his fiche: since the launch, over the chosen period, the day of the last one."""

    total: int
    periode: int
    dernier: datetime.date | None


def compteurs_cra(
    conseiller: Conseiller, periode: Periode, *, structure_id: int | None = None
) -> CompteursCra:
    """From the daily aggregates, in one query; `structure_id`: only the CRAs made for that structure."""
    rows = AgregatJour.objects.filter(conseiller=conseiller)
    if structure_id is not None:
        rows = rows.filter(structure_id=structure_id)
    values = rows.aggregate(
        total=Sum("cra"),
        periode=Sum("cra", filter=Q(jour__range=(periode.du, periode.au))),
        dernier=Max("jour"),
    )
    return CompteursCra(values["total"] or 0, values["periode"] or 0, values["dernier"])


@dataclass(frozen=True)
class FicheConseiller:
    """What the fiche "Détail" of a conseiller shows to a role. A structure sees its own part of his career
    only: its contracts, his lieux in it, and his current structure and supérieur while he works there."""

    conseiller: Conseiller
    structure: Structure | None  # the current structure, when the role may see it
    en_poste: bool  # in post (for a structure: in post with it)
    contrats: list[Contrat]
    contrat_actuel: Contrat | None  # the contract with the current structure shown, not broken
    lieux: list[Permanence]
    compteurs: CompteursCra
    structures_lisibles: frozenset[int]  # the structures of the page whose fiche the role may open


def fiche_conseiller(scope: Scope, conseiller: Conseiller, periode: Periode) -> FicheConseiller:
    """The fiche of a conseiller already read through the scope (four queries)."""
    employeur = employeur_of(scope)
    contrats = conseiller.contrats.select_related("structure").order_by("-date_debut", "-pk")
    lieux = lieux_of_conseiller(conseiller)
    if employeur is not None:
        contrats = contrats.filter(structure_id=employeur)
        lieux = lieux.filter(structure_id=employeur)
    contrats = list(contrats)
    structure = conseiller.structure if poste_visible(scope, conseiller) else None
    en_poste = structure is not None
    contrat_actuel = next(
        (c for c in contrats if structure and c.structure_id == structure.pk and c.date_rupture is None), None
    )
    shown = {contrat.structure_id for contrat in contrats} | ({structure.pk} if structure else set())
    lisibles = scope.structures().filter(pk__in=shown).values_list("pk", flat=True) if shown else ()
    return FicheConseiller(
        conseiller=conseiller,
        structure=structure,
        en_poste=en_poste,
        contrats=contrats,
        contrat_actuel=contrat_actuel,
        lieux=list(lieux),
        compteurs=compteurs_cra(conseiller, periode, structure_id=employeur),
        structures_lisibles=frozenset(lisibles),
    )
