from django.contrib import admin, messages

from cnfs.exports.models import Export
from cnfs.exports.production import PerimetrePerdu
from cnfs.exports.services import export_relaunch
from cnfs.socle.admin_outils import LectureSeuleMixin, accord, lien
from cnfs.socle.audit import CHANGE, journal_write


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
        "created_at",
        "finished_at",
    ]
    list_filter = ["etat", "nature"]
    list_select_related = ["demandeur"]
    search_fields = ["libelle", "nom_fichier", "demandeur__email"]
    date_hierarchy = "created_at"
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
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description="demandeur", ordering="demandeur__email")
    def demandeur_lien(self, export):
        return lien(export.demandeur)

    def has_relancer_permission(self, request) -> bool:
        return request.user.has_perm("exports.change_export")

    @admin.action(description="Relancer les exports en échec ou expirés", permissions=["relancer"])
    def relancer(self, request, queryset):
        relances, perdus = [], 0
        for export in (export for export in queryset if export.relancable):
            try:
                relances.append(export_relaunch(export))
            except PerimetrePerdu:  # its requester no longer reads its scope (SPEC §18)
                perdus += 1
        journal_write(user=request.user, entries=[(export, CHANGE, "Export relancé.") for export in relances])
        ignores = len(queryset) - len(relances) - perdus
        self.message_user(
            request,
            accord(len(relances), "export relancé", "exports relancés")
            + (f" ; {accord(ignores, 'ignoré', 'ignorés')} (ni en échec ni expirés)" if ignores else "")
            + (
                f" ; {accord(perdus, 'refusé', 'refusés')} : leur demandeur n'a plus accès à leur périmètre"
                if perdus
                else ""
            )
            + ".",
            messages.SUCCESS,
        )
