"""The ressourcerie's search words and file names, from the project's folding (cnfs.socle.texte.replie):
documents keep a folded copy of their searchable text, queries are folded the same way."""

from cnfs.socle.texte import replie

RECHERCHE_MAX = 100  # characters of a query taken into account
MOTS_MAX = 10  # words of a query taken into account


def mots(query: str) -> list[str]:
    """The distinct folded words of a query, in order (at most MOTS_MAX)."""
    words = []
    for word in replie(query[:RECHERCHE_MAX]).split():
        if word not in words:
            words.append(word)
    return words[:MOTS_MAX]


def nom_de_fichier(titre: str) -> str:
    """A file name stem from a title: ASCII, lower case, words joined by hyphens (« S'inscrire » ->
    "s-inscrire"); "" when nothing is left."""
    return "-".join(replie(titre).encode("ascii", "ignore").decode().split())
