"""Stored encodings are pinned (SPEC §11: stored data never moves): the bit of each theme and sub-theme in
`Cra.themes` / `Cra.sous_themes`, written here by hand. Moving one fails here; a new enumeration value
without its position fails too."""

import pytest

from cra.enums import SousTheme, Theme
from cra.models import SOUS_THEME_BITS, SOUS_THEME_POSITIONS, THEME_BITS, THEME_POSITIONS

STORED_THEME_BITS = {
    "diagnostic": 0,
    "equipement_informatique": 1,
    "budget": 2,
    "vocabulaire": 3,
    "internet": 4,
    "trouver_emploi": 5,
    "courriel": 6,
    "echanger": 7,
    "tpe_pme": 8,
    "securite": 9,
    "contenus_numeriques": 10,
    "accompagner_enfant": 11,
    "fraude_harcelement": 12,
    "traitement_texte": 13,
    "scolaire": 14,
    "sante": 15,
    "demarche_en_ligne": 16,
    "smartphone": 17,
    "autre": 18,
}
STORED_SOUS_THEME_BITS = {
    "espace_sante": 0,
    "fourniture": 1,
    "ordinateur": 2,
    "tablette": 3,
    "telephone": 4,
    "parent": 5,
    "social": 6,
    "enseignant": 7,
}


@pytest.mark.parametrize(
    ("bits", "stored"), [(THEME_BITS, STORED_THEME_BITS), (SOUS_THEME_BITS, STORED_SOUS_THEME_BITS)]
)
def test_the_stored_bits_never_move(bits, stored):
    # A value may be added at a new position (add it here too); none already stored may move or go.
    assert {key: bit for key, bit in bits.items() if key in stored} == {
        key: 1 << pos for key, pos in stored.items()
    }
    assert set(stored) <= set(bits)


@pytest.mark.parametrize(
    ("enumeration", "positions"), [(Theme, THEME_POSITIONS), (SousTheme, SOUS_THEME_POSITIONS)]
)
def test_every_value_has_its_own_position(enumeration, positions):
    assert set(positions) == set(enumeration), "donnez une position (la suivante libre) à la nouvelle valeur"
    assert len(set(positions.values())) == len(positions)
    # PositiveIntegerField: 31 bits at most.
    assert max(positions.values()) < 31
