"""Demo data of SPEC §9: structures, conseillers and their contracts, lieux d'activité, demo accounts.

Two runs on the same day give exactly the same rows: everything is drawn from a seeded generator, dates
are counted back from today, and rows are keyed on SIRET, professional e-mail and account e-mail (a row
is written only when it differs). The plan is built first, without the database; the loaders then write
it in one transaction with a few bulk queries per table.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from conseillers.demo.data import CONSEILLER_ACCOUNT, COORDINATEUR_ACCOUNT, DEMO_PASSWORD, PILOTAGE_ACCOUNTS
from conseillers.demo.load import (
    accounts_load,
    conseillers_load,
    contrats_load,
    coordinations_load,
    permanences_load,
    structures_load,
)
from conseillers.demo.plan import DemoError, demo_plan
from conseillers.enums import StatutConseiller
from conseillers.models import Conseiller, Contrat, Permanence
from structures.models import Structure

__all__ = ["DemoError", "seed_demo"]

User = get_user_model()


def seed_demo(*, stdout=None, today: datetime.date | None = None) -> dict[str, int]:
    """Loads the demo (SPEC §9) in one transaction and returns the counts of the summary."""
    plan = demo_plan(today or timezone.localdate())
    with transaction.atomic():
        structures = structures_load(plan)
        conseillers = conseillers_load(plan, structures)
        contrats_load(plan, structures, conseillers)
        coordinations_load(plan, conseillers)
        permanences_load(plan, structures, conseillers)
        accounts_load(plan, structures, conseillers)
        # Later parts plug in here, on the same plan: the CRAs of the activated conseillers, then the
        # ressourcerie documents.
    summary = demo_summary()
    if stdout is not None:
        stdout.write(summary_text(summary))
    return summary


def demo_summary() -> dict[str, int]:
    conseillers = Conseiller.objects.all()
    return {
        "structures": Structure.objects.count(),
        "conseillers": conseillers.count(),
        "recrutes": conseillers.recrutes().count(),
        "ruptures": conseillers.filter(statut=StatutConseiller.RUPTURE).count(),
        "actives": conseillers.actives().count(),
        "certifies": conseillers.filter(date_certification__isnull=False).count(),
        "coordinateurs": conseillers.filter(est_coordinateur=True).count(),
        "contrats": Contrat.objects.count(),
        "lieux": Permanence.objects.count(),
        "comptes": User.objects.count(),
    }


def summary_text(summary: dict[str, int]) -> str:
    accounts = ", ".join([CONSEILLER_ACCOUNT, COORDINATEUR_ACCOUNT] + [a[0] for a in PILOTAGE_ACCOUNTS])
    return (
        "Données de démonstration chargées :\n"
        f"  - {summary['structures']} structures\n"
        f"  - {summary['conseillers']} conseillers : {summary['recrutes']} en poste, "
        f"{summary['ruptures']} en rupture, {summary['actives']} activés, {summary['certifies']} certifiés, "
        f"{summary['coordinateurs']} coordinateurs\n"
        f"  - {summary['contrats']} contrats, {summary['lieux']} lieux d'activité, "
        f"{summary['comptes']} comptes\n"
        f"Comptes de démonstration (mot de passe {DEMO_PASSWORD}) : {accounts}\n"
    )
