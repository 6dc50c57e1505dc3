"""Loaders: write the plan, touching only the rows that differ."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import conseiller_account_link, emails_verify, role_grant, user_get_or_create
from conseillers.demo.data import DEMO_PASSWORD, PILOTAGE_ACCOUNTS
from conseillers.demo.plan import DemoError, DemoPlan
from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller
from structures.models import Departement, Hub, Structure

User = get_user_model()


def _rows_save(model, rows: dict, existing: dict) -> None:
    """Inserts the rows missing from `existing` and updates the ones that differ (both keyed alike)."""
    to_create, to_update, changed_fields = [], [], set()
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**values))
            continue
        changed = {name for name, value in values.items() if getattr(obj, name) != value}
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            to_update.append(obj)
            changed_fields |= changed
    model.objects.bulk_create(to_create)
    if to_update:
        if hasattr(model, "updated_at"):
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
            changed_fields.add("updated_at")
        model.objects.bulk_update(to_update, sorted(changed_fields))


def structures_load(plan: DemoPlan) -> dict[str, Structure]:
    """The demo structures, by SIRET."""
    codes = {row["departement_id"] for row in plan.structures.values()}
    if Departement.objects.filter(code__in=codes).count() != len(codes):
        raise DemoError(
            "Le référentiel des territoires n'est pas chargé : lancez d'abord « manage.py migrate »."
        )
    existing = Structure.objects.in_bulk(list(plan.structures), field_name="siret")
    _rows_save(Structure, plan.structures, existing)
    return Structure.objects.select_related("departement").in_bulk(list(plan.structures), field_name="siret")


def conseillers_load(plan: DemoPlan, structures: dict[str, Structure]) -> dict[str, Conseiller]:
    """The demo conseillers, by professional e-mail."""
    rows = {
        spec.email_pro: spec.fields | {"structure_id": structures[spec.siret].pk if spec.siret else None}
        for spec in plan.conseillers
    }
    existing = Conseiller.objects.in_bulk(list(rows), field_name="email_pro")
    _rows_save(Conseiller, rows, existing)
    return Conseiller.objects.select_related("user").in_bulk(list(rows), field_name="email_pro")


def contrats_load(plan: DemoPlan, structures, conseillers) -> None:
    """Each conseiller's contracts, matched to the stored ones in date order."""
    existing = defaultdict(list)
    ids = [conseiller.pk for conseiller in conseillers.values()]
    for contrat in Contrat.objects.filter(conseiller__in=ids).order_by("conseiller_id", "date_debut", "pk"):
        existing[contrat.conseiller_id].append(contrat)
    rows, stored, surplus = {}, {}, []
    for spec in plan.conseillers:
        conseiller_id = conseillers[spec.email_pro].pk
        for position, contrat in enumerate(spec.contrats):
            fields = {name: value for name, value in contrat.items() if name != "siret"}
            rows[conseiller_id, position] = fields | {
                "conseiller_id": conseiller_id,
                "structure_id": structures[contrat["siret"]].pk,
            }
        for position, contrat in enumerate(existing[conseiller_id]):
            if position < len(spec.contrats):
                stored[conseiller_id, position] = contrat
            else:
                surplus.append(contrat.pk)
    Contrat.objects.filter(pk__in=surplus).delete()
    _rows_save(Contrat, rows, stored)


def coordinations_load(plan: DemoPlan, conseillers) -> None:
    """Who each coordinator covers: an explicit list of conseillers and/or départements."""
    for email_pro, (coordonnes, departements) in plan.coordinations.items():
        coordinateur = conseillers[email_pro]
        coordinateur.conseillers_coordonnes.set([conseillers[email].pk for email in coordonnes])
        coordinateur.departements_coordonnes.set(departements)
        coordinateur.regions_coordonnees.set([])


def permanences_load(plan: DemoPlan, structures, conseillers) -> None:
    """The lieux d'activité (keyed on structure and name) and the conseillers attached to them."""
    rows = {}
    for permanence in plan.permanences:
        structure_id = structures[permanence["siret"]].pk
        fields = {name: value for name, value in permanence.items() if name != "siret"}
        rows[structure_id, permanence["nom"]] = fields | {"structure_id": structure_id}
    structure_ids = [structure.pk for structure in structures.values()]

    def stored():
        return {(p.structure_id, p.nom): p for p in Permanence.objects.filter(structure__in=structure_ids)}

    _rows_save(Permanence, rows, stored())
    permanences = stored()
    wanted = {
        (permanences[structures[siret].pk, nom].pk, conseillers[email].pk): principale
        for siret, nom, email, principale in plan.lieux
    }
    links = PermanenceConseiller.objects.filter(conseiller__in=[c.pk for c in conseillers.values()])
    # A link that differs is replaced rather than updated: one principal place per conseiller holds
    # at every step.
    stale = [
        link.pk for link in links if wanted.get((link.permanence_id, link.conseiller_id)) != link.principale
    ]
    PermanenceConseiller.objects.filter(pk__in=stale).delete()
    kept = set(links.exclude(pk__in=stale).values_list("permanence_id", "conseiller_id"))
    PermanenceConseiller.objects.bulk_create(
        PermanenceConseiller(permanence_id=permanence_id, conseiller_id=conseiller_id, principale=principale)
        for (permanence_id, conseiller_id), principale in wanted.items()
        if (permanence_id, conseiller_id) not in kept
    )


def _demo_password_hash() -> str:
    """The hash every demo account shares: the stored one while it is still current, else a new one.

    Hashing once keeps the seed fast; reusing the stored hash keeps a second run from changing rows.
    """
    stored = User.objects.filter(email=PILOTAGE_ACCOUNTS[-1][0]).values_list("password", flat=True).first()
    outdated = []  # check_password calls the setter when the hasher's settings changed
    if stored and check_password(DEMO_PASSWORD, stored, setter=outdated.append) and not outdated:
        return stored
    return make_password(DEMO_PASSWORD)


def _named_user(email: str, first_name: str, last_name: str):
    user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    if (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return user


def accounts_load(plan: DemoPlan, structures, conseillers) -> None:
    """Accounts of the activated conseillers, and the six demo accounts, all with the demo password."""
    users = []
    for spec in plan.conseillers:
        if spec.fields["date_activation"] is None:
            continue
        conseiller = conseillers[spec.email_pro]
        if spec.account_email:
            user = _named_user(spec.account_email, conseiller.prenom, conseiller.nom)
            if conseiller.user_id != user.pk:
                conseiller.user = user
                conseiller.save(update_fields=["user"])
        users.append(conseiller_account_link(conseiller=conseiller))

    structure = structures[plan.demo_siret]
    hub = Hub.objects.filter(departements=structure.departement_id).order_by("nom").first()
    if hub is None:
        raise DemoError(
            f"Aucun hub ne couvre le département {structure.departement_id} : référentiel incomplet."
        )
    scopes = {
        RoleKind.STRUCTURE: {"structure": structure},
        RoleKind.PREFET: {"departement": structure.departement},
        RoleKind.HUB: {"hub": hub},
        RoleKind.ADMIN: {},
    }
    for email, prenom, nom, kind in PILOTAGE_ACCOUNTS:
        user = _named_user(email, prenom, nom)
        role_grant(user=user, kind=kind, **scopes[kind])
        users.append(user)
    User.objects.filter(email=PILOTAGE_ACCOUNTS[-1][0]).exclude(is_staff=True, is_superuser=True).update(
        is_staff=True, is_superuser=True
    )
    password = _demo_password_hash()
    User.objects.filter(pk__in=[user.pk for user in users]).exclude(password=password, is_active=True).update(
        password=password, is_active=True
    )
    # Their addresses are proven: `make demo-proconnect` logs them in through the local provider.
    emails_verify(users=users)
