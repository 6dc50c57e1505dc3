"""The conseillers, their contracts and their lieux d'activité in the admin.

The conseillers' changelist shows what the team follows (structure, statut, Activé, certification, CRA
saisis and the last CRA's day, from the daily aggregates: one query for the page), imports the recruitment
files (conseillers.imports) and carries the team's actions: invitations, certification, rupture. The
current structure and the statut are derived from the contracts (conseillers.services): read-only here,
kept up to date by the contracts' inlines (cnfs/pages/admin/emploi.py).
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.limits import INVITATIONS_LIMITED, invitation_allowed
from accounts.services import conseiller_account_link, invitation_create
from cnfs.pages.admin.emploi import ContratInline, NouveauContratInline
from cnfs.socle.admin_outils import (
    DepartementFilter,
    ImportCsvAdminMixin,
    OuiNonFilter,
    RegionFilter,
    accord,
    lien,
    lien_liste,
    oui_non,
    page_action,
)
from cnfs.socle.audit import CHANGE, AuditAdminMixin, journal_write
from cnfs.socle.dates import DateFrField
from cnfs.socle.periode import DATE_LANCEMENT, Periode
from conseillers.enums import MotifRupture
from conseillers.imports import COLONNES, conseillers_import
from conseillers.models import Conseiller, Permanence, PermanenceConseiller
from conseillers.services import conseiller_situation_refresh, contrat_rupture
from cra.models import Cra
from stats.pilotage import with_cra


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


class ActiveFilter(OuiNonFilter):
    title = "activé"
    parameter_name = "active"
    champ = "date_activation"


class CertifieFilter(OuiNonFilter):
    title = "certifié CCP1"
    parameter_name = "certifie"
    champ = "date_certification"


class CertificationForm(forms.Form):
    date_certification = DateFrField(label="Date de certification CCP1")

    def clean_date_certification(self):
        day = self.cleaned_data["date_certification"]
        if day > timezone.localdate():
            raise ValidationError("La date de certification ne peut pas être dans le futur.")
        if day < DATE_LANCEMENT:
            raise ValidationError(
                f"La date de certification ne peut pas précéder le {_date(DATE_LANCEMENT)}."
            )
        return day


class RuptureForm(forms.Form):
    date_rupture = DateFrField(
        label="Date de rupture",
        help_text="Premier jour non travaillé : ce jour appartient déjà à l'employeur suivant.",
    )
    motif = forms.ChoiceField(label="Motif", choices=[("", "—"), *MotifRupture.choices])


@admin.register(Conseiller)
class ConseillerAdmin(AuditAdminMixin, ImportCsvAdminMixin, admin.ModelAdmin):
    list_display = [
        "nom",
        "prenom",
        "email_pro",
        "structure_lien",
        "departement",
        "statut",
        "activation",
        "certification",
        "est_coordinateur",
        "cra_total",
        "dernier_cra",
    ]
    list_filter = [
        ActiveFilter,
        CertifieFilter,
        "statut",
        "est_coordinateur",
        ("structure__departement__region", RegionFilter),
        ("structure__departement", DepartementFilter),
        "structure__type",
    ]
    search_fields = ["nom", "prenom", "email_pro", "email_perso", "structure__nom", "=structure__siret"]
    search_help_text = "Nom, prénom, e-mail, nom ou SIRET de la structure."
    date_hierarchy = "date_activation"
    autocomplete_fields = ["conseillers_coordonnes"]
    filter_horizontal = ["departements_coordonnes", "regions_coordonnees"]
    readonly_fields = [
        "compte",
        "structure_lien",
        "statut",
        "activation",
        "cra_total",
        "dernier_cra",
        "cras_lien",
    ]
    fieldsets = [
        ("Identité", {"fields": ["prenom", "nom", "email_pro", "email_perso", "telephone_pro", "compte"]}),
        (
            "Emploi",
            {
                "fields": ["structure_lien", "statut"],
                "description": "Tenus à jour par les contrats ci-dessous.",
            },
        ),
        (
            "Formation et certification",
            {"fields": ["date_entree_formation", "date_sortie_formation", "date_certification"]},
        ),
        ("Espace Coop", {"fields": ["activation", "cra_total", "dernier_cra", "cras_lien"]}),
        (
            "Coordination",
            {
                "fields": [
                    "est_coordinateur",
                    "conseillers_coordonnes",
                    "departements_coordonnes",
                    "regions_coordonnees",
                ]
            },
        ),
        (
            "Supérieur hiérarchique",
            {
                "fields": [
                    "superieur_prenom",
                    "superieur_nom",
                    "superieur_fonction",
                    "superieur_email",
                    "superieur_telephone",
                ]
            },
        ),
    ]
    inlines = [ContratInline, NouveauContratInline]
    actions = ["inviter", "certifier", "rompre"]
    import_colonnes = COLONNES

    def importer(self, **kwargs):
        return conseillers_import(**kwargs)

    def get_queryset(self, request):
        # CRA saisis since the launch and the last one's day: two correlated subqueries on the daily
        # aggregates (stats.pilotage.with_cra), part of the page's one query.
        depuis_le_lancement = Periode(DATE_LANCEMENT, timezone.localdate())
        # (list_select_related is ignored once the queryset selects related rows itself.)
        conseillers = super().get_queryset(request).select_related("user", "structure")
        return with_cra(conseillers, depuis_le_lancement)

    @admin.display(description="structure", ordering="structure__nom")
    def structure_lien(self, conseiller):
        return lien(conseiller.structure)

    @admin.display(description="dép.", ordering="structure__departement")
    def departement(self, conseiller):
        return conseiller.structure.departement_id if conseiller.structure_id else "—"

    @admin.display(description="activé", ordering="date_activation")
    def activation(self, conseiller):
        if conseiller.date_activation is None:
            return oui_non(False, "en attente d'activation")
        return oui_non(True, _date(timezone.localtime(conseiller.date_activation)))

    @admin.display(description="certifié CCP1", ordering="date_certification")
    def certification(self, conseiller):
        if conseiller.date_certification is None:
            return oui_non(False)
        return oui_non(True, _date(conseiller.date_certification))

    @admin.display(description="CRA saisis", ordering="cra_periode")
    def cra_total(self, conseiller):
        return getattr(conseiller, "cra_periode", 0)

    @admin.display(description="dernier CRA", ordering="dernier_cra")
    def dernier_cra(self, conseiller):
        day = getattr(conseiller, "dernier_cra", None)
        return _date(day) if day else "—"

    @admin.display(description="compte")
    def compte(self, conseiller):
        return lien(conseiller.user) if conseiller.user_id else "aucun (avant son invitation acceptée)"

    @admin.display(description="comptes rendus")
    def cras_lien(self, conseiller):
        if conseiller.pk is None:
            return "—"
        return lien_liste(Cra, "Voir ses comptes rendus d'activité", conseiller__id__exact=conseiller.pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        conseiller = form.instance
        conseiller_situation_refresh(conseiller=conseiller)
        if "est_coordinateur" in form.changed_data and conseiller.user_id:
            conseiller_account_link(conseiller=conseiller)  # the coordinateur role follows the flag

    # --- Actions -----------------------------------------------------------------------------------------

    @admin.action(description="Envoyer ou renvoyer l'invitation à l'Espace Coop", permissions=["change"])
    def inviter(self, request, queryset):
        role = request.user.roles.filter(kind=RoleKind.ADMIN).first()
        if role is None:
            self.message_user(request, "Seul un compte de l'équipe nationale peut inviter.", messages.ERROR)
            return
        if not invitation_allowed(request):
            self.message_user(request, INVITATIONS_LIMITED, messages.ERROR)
            return
        envoyees, actives = [], []
        for conseiller in queryset:
            if conseiller.date_activation is not None:
                actives.append(conseiller)
                continue
            invitation_create(
                invited_by_role=role,
                email=conseiller.email_pro,
                first_name=conseiller.prenom,
                last_name=conseiller.nom,
                kind=RoleKind.CONSEILLER,
                conseiller=conseiller,
            )
            envoyees.append(conseiller)
        journal_write(
            user=request.user,
            entries=[(c, CHANGE, f"Invitation à l'Espace Coop envoyée à {c.email_pro}.") for c in envoyees],
        )
        if envoyees:
            envoi = accord(len(envoyees), "invitation envoyée.", "invitations envoyées.")
            self.message_user(request, envoi, messages.SUCCESS)
        if actives:
            self.message_user(
                request,
                accord(len(actives), "conseiller déjà activé", "conseillers déjà activés")
                + ", sans nouvelle invitation (réinitialiser le mot de passe suffit) : "
                + ", ".join(map(str, actives))
                + ".",
                messages.WARNING,
            )

    @admin.action(description="Marquer certifiés CCP1 (date demandée)", permissions=["change"])
    def certifier(self, request, queryset):
        form, page = page_action(
            self,
            request,
            queryset,
            form_class=CertificationForm,
            titre="Marquer certifiés CCP1",
            bouton="Marquer certifiés",
            action="certifier",
        )
        if page is not None:
            return page
        day = form.cleaned_data["date_certification"]
        # Counted before certifying: the changelist's queryset may be filtered on « certifié ».
        selection = queryset.count()
        a_certifier = list(queryset.filter(date_certification__isnull=True))
        Conseiller.objects.filter(pk__in=[c.pk for c in a_certifier]).update(
            date_certification=day, updated_at=timezone.now()
        )
        journal_write(
            user=request.user,
            entries=[(c, CHANGE, f"Certification CCP1 enregistrée au {_date(day)}.") for c in a_certifier],
        )
        if a_certifier:
            self.message_user(
                request,
                accord(len(a_certifier), "conseiller marqué certifié.", "conseillers marqués certifiés."),
                messages.SUCCESS,
            )
        deja = selection - len(a_certifier)
        if deja:
            self.message_user(
                request,
                accord(
                    deja,
                    "conseiller déjà certifié : sa date est inchangée",
                    "conseillers déjà certifiés : leur date est inchangée",
                )
                + " (corrigez-la sur la fiche).",
                messages.WARNING,
            )
        return None

    @admin.action(description="Mettre fin au contrat en cours (rupture)", permissions=["change"])
    def rompre(self, request, queryset):
        form, page = page_action(
            self,
            request,
            queryset,
            form_class=RuptureForm,
            titre="Mettre fin au contrat en cours",
            bouton="Enregistrer la rupture",
            action="rompre",
        )
        if page is not None:
            return page
        day, motif = form.cleaned_data["date_rupture"], form.cleaned_data["motif"]
        faits, refus = [], []
        for conseiller in queryset:
            contrat = (
                conseiller.contrats.filter(structure_id=conseiller.structure_id, date_rupture__isnull=True)
                .select_related("structure")
                .order_by("-date_debut")
                .first()
                if conseiller.structure_id
                else None
            )
            if contrat is None:
                refus.append(f"{conseiller} : aucun contrat en cours")
                continue
            try:
                with transaction.atomic():
                    contrat_rupture(contrat=contrat, date_rupture=day, motif=motif)
            except ValidationError as error:
                refus.append(f"{conseiller} : {' '.join(error.messages)}")
                continue
            faits.append((conseiller, contrat))
        libelle = MotifRupture(motif).label
        message = f"le {_date(day)} ({libelle})"
        journal_write(
            user=request.user,
            entries=[
                entry
                for conseiller, contrat in faits
                for entry in (
                    (conseiller, CHANGE, f"Rupture du contrat avec {contrat.structure} {message}."),
                    (contrat, CHANGE, f"Rupture {message}."),
                )
            ],
        )
        if faits:
            ruptures = accord(len(faits), "rupture enregistrée.", "ruptures enregistrées.")
            self.message_user(request, ruptures, messages.SUCCESS)
        if refus:
            self.message_user(request, "Sans changement : " + " ; ".join(refus) + ".", messages.WARNING)
        return None


class PermanenceConseillerInline(admin.TabularInline):
    model = PermanenceConseiller
    extra = 0
    fields = ["conseiller_lien", "principale"]
    readonly_fields = ["conseiller_lien"]
    verbose_name_plural = "conseillers du lieu"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("conseiller", "permanence")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="conseiller")
    def conseiller_lien(self, lien_conseiller):
        return lien(lien_conseiller.conseiller)


class NouveauPermanenceConseillerInline(admin.TabularInline):
    model = PermanenceConseiller
    extra = 0
    can_delete = False
    autocomplete_fields = ["conseiller"]
    verbose_name = "conseiller à rattacher"
    verbose_name_plural = "rattacher un conseiller"

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Permanence)
class PermanenceAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = [
        "nom",
        "structure_lien",
        "code_postal",
        "nom_commune",
        "type_acces",
        "itinerant",
        "nombre_conseillers",
    ]
    list_select_related = ["structure"]
    list_filter = [
        "type_acces",
        "itinerant",
        ("structure__departement__region", RegionFilter),
        ("structure__departement", DepartementFilter),
    ]
    search_fields = ["nom", "=code_postal", "nom_commune", "structure__nom", "=structure__siret"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["structure"]
    inlines = [PermanenceConseillerInline, NouveauPermanenceConseillerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nb_conseillers=Count("conseillers", distinct=True))

    @admin.display(description="structure", ordering="structure__nom")
    def structure_lien(self, permanence):
        return lien(permanence.structure)

    @admin.display(description="conseillers", ordering="nb_conseillers")
    def nombre_conseillers(self, permanence):
        return permanence.nb_conseillers
