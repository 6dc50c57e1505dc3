from django.contrib import admin

from structures.models import Departement, Hub, Region, Structure


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "nom"]
    search_fields = ["code", "nom"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    list_select_related = ["region"]
    list_filter = ["region"]
    search_fields = ["code", "nom"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["nom"]
    search_fields = ["nom"]
    filter_horizontal = ["departements"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "siret", "type", "departement", "statut", "dotation"]
    list_select_related = ["departement"]
    list_filter = ["statut", "type", "departement__region"]
    search_fields = ["nom", "siret", "code_postal"]
    autocomplete_fields = ["departement"]
