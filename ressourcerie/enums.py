from django.db import models


class Categorie(models.TextChoices):
    """The fixed categories of the ressourcerie (SPEC §8), in the order the page shows them."""

    PRODUCTION_CNFS = "production_cnfs", "Production des CnFS"
    COURRIEL = "courriel", "Courriel"
    ECHANGER = "echanger", "Échanger avec ses proches"
    EMPLOI = "emploi", "Emploi"
    DEMARCHES_EN_LIGNE = "demarches_en_ligne", "Démarches en ligne"
    BUREAUTIQUE = "bureautique", "Bureautique"
    MOBILE = "mobile", "Mobile (smartphone, applications)"
    CONTENUS_NUMERIQUES = "contenus_numeriques", "Créer et gérer ses contenus numériques"
    ACCOMPAGNER_ENFANT = "accompagner_enfant", "Accompagner son enfant"
    EQUIPEMENT_INFORMATIQUE = "equipement_informatique", "Prendre en main un équipement informatique"
    FICHES_CNIL = "fiches_cnil", "Fiches CNIL"
    ESPACE_CONSEILLER = "espace_conseiller", "Espace Conseiller"
