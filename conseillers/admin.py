from django.contrib import admin

from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller


class ContratInline(admin.TabularInline):
    model = Contrat
    extra = 0
    autocomplete_fields = ["structure"]


@admin.register(Conseiller)
class ConseillerAdmin(admin.ModelAdmin):
    list_display = [
        "nom",
        "prenom",
        "email_pro",
        "structure",
        "statut",
        "date_activation",
        "date_certification",
    ]
    list_select_related = ["structure"]
    list_filter = ["statut", "est_coordinateur", "structure__departement__region"]
    search_fields = ["nom", "prenom", "email_pro", "structure__siret"]
    autocomplete_fields = ["structure", "user"]
    filter_horizontal = ["conseillers_coordonnes", "departements_coordonnes", "regions_coordonnees"]
    inlines = [ContratInline]


class PermanenceConseillerInline(admin.TabularInline):
    model = PermanenceConseiller
    extra = 0
    autocomplete_fields = ["conseiller"]


@admin.register(Permanence)
class PermanenceAdmin(admin.ModelAdmin):
    list_display = ["nom", "structure", "code_postal", "nom_commune", "type_acces"]
    list_select_related = ["structure"]
    search_fields = ["nom", "code_postal", "nom_commune", "structure__nom"]
    autocomplete_fields = ["structure"]
    inlines = [PermanenceConseillerInline]
