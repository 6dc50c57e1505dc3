"""Pieces shared by the admin modules of the apps: links, yes/no icons, read-only pages, actions asking a
question on an intermediate page, and the CSV import page of the structures and the conseillers."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html

from cnfs.socle.imports_csv import ENCODAGES, TAILLE_MAX, Rapport

VIDE = "—"


class LectureSeuleMixin:
    """A model the admin shows but never writes: what the services or Django write alone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def lien(obj: Model | None, texte: str | None = None) -> str:
    """A link to an object's admin page (« — » for none)."""
    if obj is None:
        return VIDE
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, texte or str(obj))


def lien_liste(model, texte: str, **filtres) -> str:
    """A link to a changelist filtered by `filtres` (« Voir les 3 conseillers »)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filtres.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, texte)


def accord(nombre: int, singulier: str, pluriel: str) -> str:
    """A count and its words agreed the French way, 0 and 1 in the singular: « 1 conseiller activé »,
    « 2 conseillers activés »."""
    return f"{nombre} {singulier if nombre < 2 else pluriel}"


def oui_non(valeur: bool, texte: str = "") -> str:
    """The admin's green check or red cross, with a French alternative text, and an optional text."""
    icon = static(f"admin/img/icon-{'yes' if valeur else 'no'}.svg")
    return format_html('<img src="{}" alt="{}"> {}', icon, "Oui" if valeur else "Non", texte)


def page_action(modeladmin, request, queryset, *, form_class, titre: str, bouton: str, action: str):
    """The intermediate page of an action that asks something (a date, a motif): returns (the valid form,
    None) once confirmed, else (None, the page to show)."""
    form = form_class(request.POST if "confirmer" in request.POST else None)
    if form.is_bound and form.is_valid():
        return form, None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": titre,
        "opts": opts,
        "form": form,
        "objets": list(queryset[:50]),
        "nombre": queryset.count(),
        "selection": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action": action,
        "bouton": bouton,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return None, TemplateResponse(request, "admin/action_formulaire.html", context)


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV",
        help_text="Séparateur point-virgule ou virgule ; UTF-8 (avec ou sans BOM) ou Windows-1252.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mode = forms.ChoiceField(
        label="Mode",
        choices=[
            ("simulation", "Simulation : vérifier le fichier sans rien enregistrer"),
            ("import", "Import : enregistrer"),
        ],
        initial="simulation",
        widget=forms.RadioSelect,
    )
    partiel = forms.BooleanField(
        label="Importer les lignes valides même si d'autres sont refusées",
        required=False,
        help_text="Sans cette case, une seule ligne refusée et rien n'est enregistré.",
    )
    encodage = forms.ChoiceField(label="Encodage", choices=list(ENCODAGES.items()), initial="auto")

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(f"Le fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo : découpez-le.")
        return fichier


class ImportCsvAdminMixin:
    """Adds « Importer un fichier CSV » to a changelist: the page runs the same import as the command, in
    simulation or for real, and shows its report (every refused line with its number and reasons)."""

    change_list_template = "admin/change_list_import.html"
    import_colonnes: list = []

    def importer(self, **kwargs) -> Rapport:
        raise NotImplementedError

    def _import_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_importer"

    def get_urls(self):
        urls = [path("importer/", self.admin_site.admin_view(self.import_view), name=self._import_url_name())]
        return urls + super().get_urls()

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        url = reverse(f"admin:{self._import_url_name()}") if self.has_import_permission(request) else ""
        return super().changelist_view(request, {**(extra_context or {}), "import_url": url})

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        rapport = None
        if form.is_bound and form.is_valid():
            fichier = form.cleaned_data["fichier"]
            rapport = self.importer(
                contenu=fichier.read(),
                fichier_nom=fichier.name,
                user=request.user,
                simulation=form.cleaned_data["mode"] == "simulation",
                partiel=form.cleaned_data["partiel"],
                encodage=form.cleaned_data["encodage"],
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Importer des {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "rapport": rapport,
            "colonnes": self.import_colonnes,
        }
        return TemplateResponse(request, "admin/import_csv.html", context)


class OuiNonFilter(admin.SimpleListFilter):
    """A yes / no filter on whether a date is set (« Activé », « Certifié », « Supprimé »)."""

    champ = ""  # the nullable field

    def lookups(self, request, model_admin):
        return [("oui", "Oui"), ("non", "Non")]

    def queryset(self, request, queryset):
        if self.value() in ("oui", "non"):
            return queryset.filter(**{f"{self.champ}__isnull": self.value() == "non"})
        return queryset


class RegionFilter(admin.RelatedFieldListFilter):
    """The région of a row, under its accented title (the foreign keys are named `region`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "région"


class DepartementFilter(admin.RelatedFieldListFilter):
    """The département of a row, as a select (a hundred links would fill the side bar), under its accented
    title. A GET form: it works without JavaScript, keeping the page's other filters, search and sort."""

    template = "admin/filtre_select.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        # « Tous » sends an empty value: no filter (an empty id would be an invalid lookup).
        for name in [
            name for name, values in params.items() if name.startswith(field_path) and values == [""]
        ]:
            del params[name]
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "département"

    def choices(self, changelist):
        self.parametres_gardes = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in self.expected_parameters()
            for value in values
        ]
        selection = {str(value) for value in self.lookup_val or []}
        for pk, label in self.lookup_choices:
            yield {"value": pk, "display": label, "selected": str(pk) in selection}
