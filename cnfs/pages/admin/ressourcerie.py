"""The documents and tags of the ressourcerie, managed by the national team. Every write goes through
ressourcerie.services: the same PDF check as everywhere, the search text kept up to date, files deleted
with their document, the ZIP rebuilt."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify

from cnfs.socle.admin_outils import accord
from ressourcerie import services
from ressourcerie.forms import DocumentForm, EtiquetteActionForm
from ressourcerie.models import Document, Tag


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    action_form = EtiquetteActionForm
    actions = ["ajouter_etiquette", "retirer_etiquette"]
    list_display = [
        "titre",
        "categorie",
        "etiquettes",
        "taille_lisible",
        "nombre_pages",
        "created_at",
        "updated_at",
    ]
    list_filter = ["categorie", "tags", "created_at"]
    # The search box; the search itself is the page's (accent-insensitive), see get_search_results.
    search_fields = ["titre"]
    search_help_text = "Titre, description ou étiquette, sans tenir compte des accents ni des majuscules."
    date_hierarchy = "created_at"
    filter_horizontal = ["tags"]
    readonly_fields = ["taille_lisible", "nombre_pages", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["titre", "description", "categorie", "tags"]}),
        ("Fichier", {"fields": ["fichier", "taille_lisible", "nombre_pages"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # size, pages and dates come from the file and the save
            return [(None, {"fields": ["titre", "description", "categorie", "tags", "fichier"]})]
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_search_results(self, request, queryset, search_term):
        return queryset.recherche(search_term), False

    @admin.display(description="étiquettes")
    def etiquettes(self, document):
        return ", ".join(sorted(tag.nom for tag in document.tags.all()))

    @admin.display(description="taille", ordering="taille")
    def taille_lisible(self, document):
        return filesizeformat(document.taille) if document.taille else "—"

    def save_model(self, request, obj, form, change):
        services.document_save(obj, tags=form.cleaned_data["tags"])

    def save_related(self, request, form, formsets, change):
        # The tags were set by the service with the search text; only inlines (none today) are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.documents_delete([obj])

    def delete_queryset(self, request, queryset):
        services.documents_delete(queryset)

    def _etiquette_saisie(self, request) -> str:
        return " ".join(request.POST.get("etiquette", "").split())

    @admin.action(description="Ajouter l'étiquette saisie aux documents sélectionnés", permissions=["change"])
    def ajouter_etiquette(self, request, queryset):
        nom = self._etiquette_saisie(request)
        if not nom:
            self.message_user(request, "Saisissez le nom de l'étiquette à ajouter.", messages.ERROR)
            return
        try:
            tag = services.tag_get_or_create(nom)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        count = services.documents_tag_add(documents=queryset, tag=tag)
        self.message_user(
            request,
            f"Étiquette « {tag.nom} » ajoutée à {accord(count, 'document', 'documents')}.",
            messages.SUCCESS,
        )

    @admin.action(description="Retirer l'étiquette saisie des documents sélectionnés", permissions=["change"])
    def retirer_etiquette(self, request, queryset):
        nom = self._etiquette_saisie(request)
        tag = Tag.objects.filter(slug=slugify(nom)).first() if nom else None
        if tag is None:
            self.message_user(
                request,
                f"Aucune étiquette ne s'appelle « {nom} »."
                if nom
                else "Saisissez le nom de l'étiquette à retirer.",
                messages.ERROR,
            )
            return
        count = services.documents_tag_remove(documents=queryset, tag=tag)
        self.message_user(
            request,
            f"Étiquette « {tag.nom} » retirée de {accord(count, 'document', 'documents')}.",
            messages.SUCCESS,
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["nom", "nombre_documents"]
    search_fields = ["nom"]
    ordering = ["slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).avec_nombre_documents()

    @admin.display(description="documents", ordering="nombre_documents")
    def nombre_documents(self, tag):
        return tag.nombre_documents

    def save_model(self, request, obj, form, change):
        services.tag_save(obj)

    def delete_model(self, request, obj):
        services.tags_delete([obj])

    def delete_queryset(self, request, queryset):
        services.tags_delete(queryset)
