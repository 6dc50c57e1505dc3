from django.db import models


class RoleKind(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller numérique"
    COORDINATEUR = "coordinateur", "Coordinateur"
    STRUCTURE = "structure", "Structure"
    PREFET = "prefet", "Préfecture"
    HUB = "hub", "Hub"
    ADMIN = "admin", "Équipe nationale"


# Roles that use the Tableau de pilotage rather than (only) the Espace Coop.
PILOTAGE_ROLES = frozenset(
    {RoleKind.COORDINATEUR, RoleKind.STRUCTURE, RoleKind.PREFET, RoleKind.HUB, RoleKind.ADMIN}
)
