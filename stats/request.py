"""What a statistics request is: a scope, a period, optional place filters (SPEC §5).

Pages build it from the logged-in account's scope (conseillers.scoping), never from ids trusted as sent by the
browser; every implementation (reference, aggregates) answers the same request with the same sums.
"""

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum


class ScopeKind(StrEnum):
    NATIONAL = "national"
    REGION = "region"
    DEPARTEMENT = "departement"
    HUB = "hub"
    STRUCTURE = "structure"
    CONSEILLER = "conseiller"
    EQUIPE = "equipe"


# Kinds for which the code postal / commune filter exists (SPEC §5).
FILTERABLE = frozenset({ScopeKind.CONSEILLER, ScopeKind.STRUCTURE})
CODE_POSTAL = re.compile(r"[0-9]{5}")
CODE_COMMUNE = re.compile(r"(?:[0-9]{2}|2A|2B)[0-9]{3}")


@dataclass(frozen=True)
class StatsScope:
    """Whose CRAs count. Build it with the class methods: StatsScope.departement("69")…

    - national: every CRA;
    - region / departement (`code`): CRAs whose structure is in the territory;
    - hub (`id`): CRAs whose structure is in one of the hub's départements;
    - structure (`id`): CRAs whose `structure` is it (a conseiller who moved counts for each employer);
    - conseiller (`id`): all his CRAs, or those made for one employer (`structure_id`);
    - equipe (`conseiller_ids`): the CRAs of a coordinator's conseillers.
    """

    kind: ScopeKind
    code: str | None = None
    id: int | None = None
    structure_id: int | None = None
    conseiller_ids: frozenset[int] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "kind", ScopeKind(self.kind))  # "departement" or ScopeKind.DEPARTEMENT
        needs_code = self.kind in (ScopeKind.REGION, ScopeKind.DEPARTEMENT)
        needs_id = self.kind in (ScopeKind.HUB, ScopeKind.STRUCTURE, ScopeKind.CONSEILLER)
        if needs_code != bool(self.code) or needs_id != (self.id is not None):
            raise ValueError(f"Portée {self.kind} incohérente : code={self.code!r}, id={self.id!r}")
        if self.structure_id is not None and self.kind != ScopeKind.CONSEILLER:
            raise ValueError("Le filtre par employeur ne vaut que pour un conseiller.")
        if self.conseiller_ids and self.kind != ScopeKind.EQUIPE:
            raise ValueError("Une liste de conseillers ne vaut que pour une équipe.")

    @classmethod
    def national(cls) -> "StatsScope":
        return cls(ScopeKind.NATIONAL)

    @classmethod
    def region(cls, code: str) -> "StatsScope":
        return cls(ScopeKind.REGION, code=code)

    @classmethod
    def departement(cls, code: str) -> "StatsScope":
        return cls(ScopeKind.DEPARTEMENT, code=code)

    @classmethod
    def hub(cls, hub_id: int) -> "StatsScope":
        return cls(ScopeKind.HUB, id=hub_id)

    @classmethod
    def structure(cls, structure_id: int) -> "StatsScope":
        return cls(ScopeKind.STRUCTURE, id=structure_id)

    @classmethod
    def conseiller(cls, conseiller_id: int, *, structure_id: int | None = None) -> "StatsScope":
        return cls(ScopeKind.CONSEILLER, id=conseiller_id, structure_id=structure_id)

    @classmethod
    def equipe(cls, conseiller_ids) -> "StatsScope":
        return cls(ScopeKind.EQUIPE, conseiller_ids=frozenset(conseiller_ids))


@dataclass(frozen=True)
class StatsRequest:
    """A scope, the period `du`…`au` (both included, on date_accompagnement) and the optional place filter:
    a code postal, or a code postal and a code commune INSEE, of the accompaniment."""

    scope: StatsScope
    du: datetime.date
    au: datetime.date
    code_postal: str = ""
    code_commune: str = ""

    def __post_init__(self):
        if self.du > self.au:
            raise ValueError(f"Période vide : du {self.du} au {self.au}")
        if (self.code_postal or self.code_commune) and self.scope.kind not in FILTERABLE:
            raise ValueError("Le filtre par lieu ne vaut que pour un conseiller ou une structure.")
        if self.code_postal and not CODE_POSTAL.fullmatch(self.code_postal):
            raise ValueError(f"Code postal invalide : {self.code_postal!r}")
        if self.code_commune and not (self.code_postal and CODE_COMMUNE.fullmatch(self.code_commune)):
            raise ValueError(f"Code commune invalide ou sans code postal : {self.code_commune!r}")

    @property
    def filtered(self) -> bool:
        return bool(self.code_postal)

    def as_json(self) -> dict:
        """The request as JSON (the parameters of a background export)."""
        scope = self.scope
        return {
            "scope": {
                "kind": scope.kind.value,
                "code": scope.code,
                "id": scope.id,
                "structure_id": scope.structure_id,
                "conseiller_ids": sorted(scope.conseiller_ids),
            },
            "du": self.du.isoformat(),
            "au": self.au.isoformat(),
            "code_postal": self.code_postal,
            "code_commune": self.code_commune,
        }

    @classmethod
    def from_json(cls, data: dict) -> "StatsRequest":
        scope = data["scope"]
        return cls(
            StatsScope(
                ScopeKind(scope["kind"]),
                code=scope["code"],
                id=scope["id"],
                structure_id=scope["structure_id"],
                conseiller_ids=frozenset(scope["conseiller_ids"]),
            ),
            datetime.date.fromisoformat(data["du"]),
            datetime.date.fromisoformat(data["au"]),
            code_postal=data["code_postal"],
            code_commune=data["code_commune"],
        )
