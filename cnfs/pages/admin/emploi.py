"""The employment history in the admin: the contracts of a conseiller (inlines of his page) and the list of
every contract. A new contract opens through conseillers.services.contrat_start, which ends the one still
open with another structure the day before; every edit refreshes the conseiller's current structure and
statut (conseiller_situation_refresh)."""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from cnfs.socle.admin_outils import RegionFilter, lien
from cnfs.socle.audit import AuditAdminMixin
from conseillers.models import Conseiller, Contrat
from conseillers.services import conseiller_situation_refresh, contrat_start


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


class ContratForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("date_rupture") and not data.get("motif_rupture"):
            self.add_error("motif_rupture", "Indiquez le motif de la rupture.")
        if data.get("motif_rupture") and not data.get("date_rupture"):
            self.add_error("date_rupture", "Indiquez la date de la rupture.")
        return data


class ContratInline(admin.TabularInline):
    """The employment history; the structure of a contract is not changed (open a new one instead)."""

    model = Contrat
    form = ContratForm
    extra = 0
    fields = ["structure_lien", "type_contrat", "date_debut", "date_fin", "date_rupture", "motif_rupture"]
    readonly_fields = ["structure_lien"]
    verbose_name_plural = "contrats (historique d'emploi)"

    def get_queryset(self, request):
        # Each row is titled by the contract's text, which names both.
        return super().get_queryset(request).select_related("conseiller", "structure")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="structure")
    def structure_lien(self, contrat):
        return lien(contrat.structure)


class NouveauContratForm(forms.ModelForm):
    class Meta:
        model = Contrat
        fields = ["structure", "type_contrat", "date_debut", "date_fin"]

    def clean(self):
        data = super().clean()
        conseiller = self.instance.conseiller if self.instance.conseiller_id else None
        structure, debut = data.get("structure"), data.get("date_debut")
        if conseiller is None or structure is None or debut is None:
            return data
        # contrat_start's own refusal, shown on the form rather than at saving time.
        for contrat in conseiller.contrats.en_cours_le(debut).select_related("structure"):
            if contrat.structure_id == structure.pk:
                raise ValidationError(f"Un contrat avec {structure} est déjà en cours : modifiez-le plutôt.")
            if contrat.date_debut >= debut:
                raise ValidationError(
                    f"Un contrat avec {contrat.structure} commence déjà le {_date(contrat.date_debut)}."
                )
        return data


class NouveauxContratsFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        """Opens each new contract with contrat_start: the one still open elsewhere ends the day before."""
        self.changed_objects, self.deleted_objects = [], []
        self.new_objects = [
            contrat_start(
                conseiller=self.instance,
                structure=form.cleaned_data["structure"],
                type_contrat=form.cleaned_data["type_contrat"],
                date_debut=form.cleaned_data["date_debut"],
                date_fin=form.cleaned_data.get("date_fin"),
            )
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        return self.new_objects


class NouveauContratInline(admin.TabularInline):
    model = Contrat
    form = NouveauContratForm
    formset = NouveauxContratsFormSet
    extra = 0
    can_delete = False
    autocomplete_fields = ["structure"]
    verbose_name = "nouveau contrat"
    verbose_name_plural = (
        "nouveau contrat (le contrat en cours avec une autre structure se termine la veille)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class EnCoursFilter(admin.SimpleListFilter):
    title = "en cours aujourd'hui"
    parameter_name = "en_cours"

    def lookups(self, request, model_admin):
        return [("oui", "Oui"), ("non", "Non")]

    def queryset(self, request, queryset):
        en_cours = Contrat.objects.en_cours_le(timezone.localdate()).values("pk")
        if self.value() == "oui":
            return queryset.filter(pk__in=en_cours)
        if self.value() == "non":
            return queryset.exclude(pk__in=en_cours)
        return queryset


@admin.register(Contrat)
class ContratAdmin(AuditAdminMixin, admin.ModelAdmin):
    """Contracts are opened from the conseiller's page (contrat_start); here they are followed and corrected,
    and each edit refreshes the conseiller's current structure and statut."""

    form = ContratForm
    list_display = [
        "conseiller_lien",
        "structure_lien",
        "type_contrat",
        "date_debut",
        "date_fin",
        "date_rupture",
        "motif_rupture",
    ]
    list_select_related = ["conseiller", "structure"]
    list_filter = [
        EnCoursFilter,
        "type_contrat",
        "motif_rupture",
        ("structure__departement__region", RegionFilter),
    ]
    search_fields = [
        "conseiller__nom",
        "conseiller__prenom",
        "conseiller__email_pro",
        "structure__nom",
        "=structure__siret",
    ]
    date_hierarchy = "date_debut"
    fields = [
        "conseiller_lien",
        "structure_lien",
        "type_contrat",
        "date_debut",
        "date_fin",
        "date_rupture",
        "motif_rupture",
    ]
    readonly_fields = ["conseiller_lien", "structure_lien"]

    @admin.display(description="conseiller", ordering="conseiller__nom")
    def conseiller_lien(self, contrat):
        return lien(contrat.conseiller)

    @admin.display(description="structure", ordering="structure__nom")
    def structure_lien(self, contrat):
        return lien(contrat.structure)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        conseiller_situation_refresh(conseiller=obj.conseiller)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        conseiller_situation_refresh(conseiller=obj.conseiller)

    def delete_queryset(self, request, queryset):
        conseillers = list(Conseiller.objects.filter(contrats__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for conseiller in conseillers:
            conseiller_situation_refresh(conseiller=conseiller)
