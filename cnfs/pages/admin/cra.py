"""The CRAs in the admin: read-only (only its conseiller edits a CRA, SPEC §4.1), with their redirections
and their history of changes; a soft-deleted CRA is restored by an action (cra.services.cra_restore, which
recomputes its statistics on commit)."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Max, Min
from django.utils import timezone

from cnfs.socle.admin_outils import OuiNonFilter, RegionFilter, accord, lien
from cnfs.socle.audit import CHANGE, champ_lisible, journal_write, valeur_lisible
from conseillers.models import Permanence
from cra.enums import AGES, STATUTS, Organisme, SousTheme, Theme
from cra.models import Cra, CraHistorique, CraQuerySet, CraRedirection
from cra.services import cra_restore
from structures.models import Structure


class CraAdminQuerySet(CraQuerySet):
    """The years and months of the date hierarchy from MIN and MAX (read from the date index) rather than
    a DISTINCT over millions of CRAs; the days of one month are still read."""

    def dates(self, field_name, kind, order="ASC"):
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        bornes = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bornes["first"] is None:
            return []
        first, last = bornes["first"], bornes["last"]
        if kind == "year":
            dates = [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        else:
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            dates = [datetime.date(index // 12, index % 12 + 1, 1) for index in months]
        return dates if order == "ASC" else dates[::-1]


class SupprimeFilter(OuiNonFilter):
    title = "supprimé"
    parameter_name = "supprime"
    champ = "deleted_at"


class LectureSeuleInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CraRedirectionInline(LectureSeuleInline):
    model = CraRedirection
    fields = ["organisme", "nom_autre", "nombre"]
    readonly_fields = fields


class CraHistoriqueInline(LectureSeuleInline):
    """Who changed the CRA, when (Paris time), and each field's value before and after (cra.services)."""

    model = CraHistorique
    fields = ["at", "auteur", "action", "modifications"]
    readonly_fields = fields
    verbose_name_plural = "historique des modifications"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="par")
    def auteur(self, historique):
        user = historique.user
        if user is None:
            return "—"
        nom = user.get_full_name()
        return nom if nom == user.email else f"{nom} ({user.email})"

    @admin.display(description="modifications")
    def modifications(self, historique):
        noms = _noms(historique.changes)
        lignes = []
        for name, values in historique.changes.items():
            avant, apres = (_valeur(name, value, noms) for value in values)
            if avant != apres:  # a creation lists every field, the empty ones too
                lignes.append(f"{_libelle(name)} : {avant} → {apres}")
        return " ; ".join(lignes) or "—"


# The history stores keys, codes and ids (cra.services._snapshot): shown with the form's labels and names.
LIBELLES = {"themes": "thèmes", "sous_themes": "sous-thèmes", "redirections": "redirections"}
OBJETS = {"structure_id": Structure, "permanence_id": Permanence}


def _noms(changes: dict) -> dict[tuple[str, int], str]:
    """The names of the structures and lieux a change refers to by id: one query per kind present."""
    noms = {}
    for name, model in OBJETS.items():
        ids = {value for value in changes.get(name, ()) if value is not None}
        if ids:
            noms |= {(name, pk): str(obj) for pk, obj in model.objects.in_bulk(ids).items()}
    return noms


def _libelle(name: str) -> str:
    if name in LIBELLES:
        return LIBELLES[name]
    try:
        return str(Cra._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _valeur(name: str, value, noms: dict[tuple[str, int], str]) -> str:
    if value in (None, "", []):
        return "vide"
    if name in OBJETS:
        return noms.get((name, value), f"n° {value} (supprimé)")
    if name == "themes":
        return ", ".join(Theme(key).label for key in value)
    if name == "sous_themes":
        return ", ".join(SousTheme(key).label for key in value)
    if name == "redirections":
        return ", ".join(
            f"{nombre} vers {autre or Organisme(organisme).label}" for organisme, autre, nombre in value
        )
    if name == "date_accompagnement":
        return valeur_lisible(datetime.date.fromisoformat(value))
    try:
        return champ_lisible(Cra, name, value)
    except FieldDoesNotExist:
        return valeur_lisible(value)


@admin.register(Cra)
class CraAdmin(admin.ModelAdmin):
    list_display = [
        "date_accompagnement",
        "conseiller_lien",
        "structure_lien",
        "activite",
        "canal",
        "nb_participants",
        "code_postal",
        "nom_commune",
        "supprime",
        "updated_at",
    ]
    list_filter = [
        SupprimeFilter,
        "activite",
        "canal",
        "duree",
        "source",
        ("structure__departement__region", RegionFilter),
    ]
    search_fields = [
        "=conseiller__email_pro",
        "conseiller__nom",
        "=structure__siret",
        "=code_postal",
        "nom_commune",
        "=source_id",
    ]
    search_help_text = (
        "E-mail professionnel exact ou nom du conseiller, SIRET, code postal, commune, identifiant dans la "
        "première version."
    )
    date_hierarchy = "date_accompagnement"
    ordering = ["-date_accompagnement", "-pk"]
    # Millions of rows: no second COUNT(*) of the whole table for « N au total ».
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["conseiller_lien", "structure_lien", "date_accompagnement", "etat"]}),
        ("Lieu", {"fields": ["canal", "permanence", "code_postal", "code_commune", "nom_commune"]}),
        (
            "Accompagnement",
            {
                "fields": [
                    "activite",
                    "nb_participants",
                    "nb_participants_recurrents",
                    "ages",
                    "statuts",
                    "themes_lisibles",
                    "sous_themes_lisibles",
                    "annotation",
                    "duree_lisible",
                ]
            },
        ),
        ("Suite", {"fields": ["suivi_individuel", "suivi_atelier", "nb_redirections"]}),
        ("Dates", {"fields": ["created_at", "updated_at", "deleted_at"]}),
        ("Provenance", {"fields": ["source", "source_id", "anomalies"]}),
    ]
    readonly_fields = [
        "conseiller_lien",
        "structure_lien",
        "etat",
        "ages",
        "statuts",
        "themes_lisibles",
        "sous_themes_lisibles",
        "duree_lisible",
        "source",
        "source_id",
        "anomalies",
    ]
    inlines = [CraRedirectionInline, CraHistoriqueInline]
    actions = ["restaurer"]

    def get_queryset(self, request):
        # (list_select_related is ignored once the queryset selects related rows itself.)
        cras = super().get_queryset(request).select_related("conseiller", "structure", "permanence")
        return CraAdminQuerySet(model=Cra, query=cras.query, using=cras.db)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the change form is read-only; « change » permits the restoration

    def has_delete_permission(self, request, obj=None):
        return False

    def has_restaurer_permission(self, request) -> bool:
        return request.user.has_perm("cra.change_cra")

    @admin.display(description="conseiller", ordering="conseiller__nom")
    def conseiller_lien(self, cra):
        return lien(cra.conseiller)

    @admin.display(description="structure", ordering="structure__nom")
    def structure_lien(self, cra):
        return lien(cra.structure)

    @admin.display(description="supprimé", boolean=True, ordering="deleted_at")
    def supprime(self, cra):
        return cra.deleted_at is not None

    @admin.display(description="état")
    def etat(self, cra):
        if cra.deleted_at is None:
            return "Enregistré"
        return f"Supprimé le {timezone.localtime(cra.deleted_at):%d/%m/%Y à %H:%M} (restaurable)"

    @admin.display(description="tranches d'âge")
    def ages(self, cra):
        return " ; ".join(f"{label} : {getattr(cra, name)}" for name, label in AGES)

    @admin.display(description="statuts des usagers")
    def statuts(self, cra):
        return " ; ".join(f"{label} : {getattr(cra, name)}" for name, label in STATUTS)

    @admin.display(description="thèmes")
    def themes_lisibles(self, cra):
        return ", ".join(cra.themes_display)

    @admin.display(description="sous-thèmes")
    def sous_themes_lisibles(self, cra):
        return ", ".join(cra.sous_themes_display) or "—"

    @admin.display(description="durée")
    def duree_lisible(self, cra):
        return cra.duree_display

    @admin.action(description="Restaurer les comptes rendus supprimés", permissions=["restaurer"])
    def restaurer(self, request, queryset):
        # Counted before restoring: the changelist's queryset may be filtered on « supprimé ».
        selection = queryset.count()
        supprimes = list(queryset.filter(deleted_at__isnull=False))
        restaures = []
        for cra in supprimes:
            supprime_le = cra.deleted_at
            restaures.append((cra_restore(cra=cra, user=request.user), supprime_le))
        journal_write(
            user=request.user,
            entries=[
                (cra, CHANGE, f"Restauré (supprimé le {timezone.localtime(le):%d/%m/%Y à %H:%M}).")
                for cra, le in restaures
            ],
        )
        if restaures:
            self.message_user(
                request,
                accord(
                    len(restaures),
                    "compte rendu restauré : il compte",
                    "comptes rendus restaurés : ils comptent",
                )
                + " de nouveau dans les statistiques.",
                messages.SUCCESS,
            )
        ignores = selection - len(restaures)
        if ignores:
            self.message_user(
                request,
                accord(
                    ignores, "compte rendu n'était pas supprimé.", "comptes rendus n'étaient pas supprimés."
                ),
                messages.WARNING,
            )
