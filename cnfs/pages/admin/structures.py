"""The référentiel of territories and the structures in the admin. The structures' changelist answers the
team's questions (département, statut, dotation, conseillers recrutés and activés, in one query for the
page), imports the recruitment files (structures.imports), and keeps the statistics right when a structure
changes département; the territories recompute their aggregates on demand."""

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html

from cnfs.pages.admin.statistiques import RecalculAgregatsMixin, aggregates_recompute_for
from cnfs.socle.admin_outils import DepartementFilter, ImportCsvAdminMixin, RegionFilter, lien_liste
from cnfs.socle.audit import AuditAdminMixin
from conseillers.models import Conseiller, Contrat
from cra.models import Cra
from stats.models import AgregatJour
from structures.imports import COLONNES, structures_import
from structures.models import CodePostal, Commune, Departement, Hub, Region, Structure


@admin.register(Region)
class RegionAdmin(AuditAdminMixin, RecalculAgregatsMixin, admin.ModelAdmin):
    list_display = ["code", "nom", "departements"]
    search_fields = ["code", "nom"]
    actions = ["recalculer_agregats"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departements")

    @admin.display(description="départements")
    def departements(self, region):
        return ", ".join(departement.code for departement in region.departements.all())

    def departements_de(self, queryset):
        return list(Departement.objects.filter(region__in=queryset).values_list("code", flat=True))


@admin.register(Departement)
class DepartementAdmin(AuditAdminMixin, RecalculAgregatsMixin, admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    list_select_related = ["region"]
    list_filter = [("region", RegionFilter)]
    search_fields = ["code", "nom"]
    actions = ["recalculer_agregats"]

    def departements_de(self, queryset):
        return list(queryset.values_list("code", flat=True))


@admin.register(Hub)
class HubAdmin(AuditAdminMixin, RecalculAgregatsMixin, admin.ModelAdmin):
    list_display = ["nom", "departements_codes"]
    search_fields = ["nom", "departements__code", "departements__nom"]
    filter_horizontal = ["departements"]
    actions = ["recalculer_agregats"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departements")

    @admin.display(description="départements")
    def departements_codes(self, hub):
        return ", ".join(departement.code for departement in hub.departements.all())

    def departements_de(self, queryset):
        return list(Departement.objects.filter(hubs__in=queryset).values_list("code", flat=True).distinct())


class CodePostalInline(admin.TabularInline):
    model = CodePostal
    extra = 0


@admin.register(Commune)
class CommuneAdmin(AuditAdminMixin, admin.ModelAdmin):
    """The communes' référentiel, loaded by `load_communes` (docs/imports.md)."""

    list_display = ["code_insee", "nom", "departement_id", "codes_postaux_liste"]
    list_filter = [("departement__region", RegionFilter)]
    search_fields = ["=code_insee", "nom", "=codes_postaux__code"]
    inlines = [CodePostalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes_postaux")

    @admin.display(description="codes postaux")
    def codes_postaux_liste(self, commune):
        return ", ".join(sorted(code.code for code in commune.codes_postaux.all()))


@admin.register(Structure)
class StructureAdmin(AuditAdminMixin, ImportCsvAdminMixin, admin.ModelAdmin):
    list_display = [
        "nom",
        "siret",
        "type",
        "departement_code",
        "statut",
        "dotation",
        "recrutes",
        "actives",
        "labellisee_france_services",
    ]
    list_filter = [
        "statut",
        "type",
        ("departement__region", RegionFilter),
        ("departement", DepartementFilter),
        "labellisee_france_services",
        "zone_rurale_revitalisation",
        "qpv",
        "reseau",
    ]
    search_fields = ["nom", "=siret", "=code_postal", "nom_commune", "contact_nom", "contact_email"]
    search_help_text = "Nom, SIRET, code postal, commune, nom ou e-mail du contact."
    date_hierarchy = "created_at"
    autocomplete_fields = ["departement"]
    readonly_fields = [
        "region",
        "recrutes",
        "actives",
        "conseillers_lien",
        "cras_lien",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["siret", "nom", "type", "statut", "reseau"]}),
        (
            "Adresse",
            {"fields": ["adresse", "code_postal", "code_commune", "nom_commune", "departement", "region"]},
        ),
        (
            "Contact",
            {
                "fields": [
                    "contact_prenom",
                    "contact_nom",
                    "contact_fonction",
                    "contact_email",
                    "contact_telephone",
                ]
            },
        ),
        (
            "Conseillers",
            {"fields": ["dotation", "recrutes", "actives", "conseillers_lien", "cras_lien"]},
        ),
        ("Labels", {"fields": ["labellisee_france_services", "zone_rurale_revitalisation", "qpv"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    import_colonnes = COLONNES

    def importer(self, **kwargs):
        return structures_import(**kwargs)

    def get_queryset(self, request):
        # « Conseillers recrutés » (SPEC §5): in post today; two correlated counts, one query for the page.
        en_poste = (
            Conseiller.objects.recrutes().filter(structure=OuterRef("pk")).order_by().values("structure")
        )
        actives = en_poste.filter(date_activation__isnull=False)
        return (
            super()
            .get_queryset(request)
            .select_related("departement__region")
            .annotate(
                nb_recrutes=Coalesce(Subquery(en_poste.annotate(n=Count("pk")).values("n")), 0),
                nb_actives=Coalesce(Subquery(actives.annotate(n=Count("pk")).values("n")), 0),
            )
        )

    @admin.display(description="département", ordering="departement")
    def departement_code(self, structure):
        return structure.departement_id

    @admin.display(description="région")
    def region(self, structure):
        return structure.departement.region if structure.departement_id else "—"

    @admin.display(description="recrutés", ordering="nb_recrutes")
    def recrutes(self, structure):
        return getattr(structure, "nb_recrutes", 0)

    @admin.display(description="activés", ordering="nb_actives")
    def actives(self, structure):
        return getattr(structure, "nb_actives", 0)

    @admin.display(description="fiches")
    def conseillers_lien(self, structure):
        if structure.pk is None:
            return "—"
        return lien_liste(Conseiller, "Voir ses conseillers en poste", structure__id__exact=structure.pk)

    @admin.display(description="historique")
    def cras_lien(self, structure):
        if structure.pk is None:
            return "—"
        contrats = lien_liste(Contrat, "ses contrats", structure__id__exact=structure.pk)
        cras = lien_liste(Cra, "ses comptes rendus d'activité", structure__id__exact=structure.pk)
        return format_html("{} · {}", contrats, cras)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "departement" in form.changed_data:
            # The aggregates copy the structure's département: its rows move with it (SPEC §5, territories).
            cles = aggregates_recompute_for(
                cras=Cra.objects.filter(structure=obj), lignes=AgregatJour.objects.filter(structure=obj)
            )
            self.message_user(
                request,
                f"Département modifié : les statistiques de la structure ({cles} clés) sont recalculées.",
                messages.INFO,
            )
