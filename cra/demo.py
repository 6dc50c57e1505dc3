"""The demo's CRAs (SPEC §9): about 80,000 over two years for the demo conseillers."""

import datetime

from cnfs.socle.sql import raw_delete
from conseillers.demo.data import CONSEILLER_ACCOUNT, COORDINATEUR_ACCOUNT
from conseillers.models import Conseiller
from cra.generation import generate_cras
from cra.models import Cra, CraRedirection

DEMO_CRAS = 80_000
DEMO_SEED = 2026
DEMO_DAYS = 730


def demo_cras_load(*, today: datetime.date, count: int = DEMO_CRAS) -> int:
    """The demo's CRAs over the last two years: the generated CRAs of the demo conseillers (those without
    history) are replaced by the same draw for `today`, so that a second run neither doubles them nor
    leaves them outside contracts that moved with the day; CRAs typed in the Espace Coop stay."""
    if not count:
        return 0
    generated = Cra.objects.filter(historique__isnull=True)
    CraRedirection.objects.filter(cra__in=generated).delete()
    # Nothing left to cascade (redirections deleted, no history): one DELETE, as Django's own fast
    # deletes do, rather than loading every CRA into the deletion collector.
    raw_delete(generated)
    # The conseillers behind the demo accounts are busy, this month too.
    accounts = [CONSEILLER_ACCOUNT, COORDINATEUR_ACCOUNT]
    busy = list(Conseiller.objects.filter(user__email__in=accounts).values_list("pk", flat=True))
    result = generate_cras(
        count=count,
        seed=DEMO_SEED,
        conseillers=Conseiller.objects.actives(),
        start=today - datetime.timedelta(days=DEMO_DAYS),
        today=today,
        intensities=dict.fromkeys(busy, 2.0),
        this_month=busy,
    )
    return result.count
