"""The tables the demo is drawn from: structures, names, fonctions, phone ranges."""

from accounts.enums import RoleKind
from conseillers.enums import MotifRupture, TypeContrat
from structures.enums import StatutStructure, TypeStructure
from structures.referentiel import DEPARTEMENTS

DEMO_PASSWORD = "demo-cnfs-2026"
SEED = 2026
DEMO_STRUCTURE = "Mairie de Villeurbanne"
EMAIL_PRO_DOMAIN = "conseiller-numerique.fr"
# Every other address is under .test (RFC 2606): the demo can never e-mail a real person.
DEMO_MAIL_DOMAIN = "demo.test"

_T, _S = TypeStructure, StatutStructure
REGION_OF = {code: region for code, _nom, region in DEPARTEMENTS}


def _words(text: str) -> list[str]:
    """The words of a text; "_" joins the parts of a compound name."""
    return [word.replace("_", " ") for word in text.split()]


def _table(text: str) -> list[list[str]]:
    """The rows of a table written one line per row, cells separated by "|"."""
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


# Nom | type | adresse | code postal | code commune INSEE (the référentiel's: Paris, Lyon and Marseille
# without their arrondissements) | commune | labels: F labellisée France Services, Z zone de revitalisation
# rurale, Q QPV.
STRUCTURES = _table("""
Mairie de Villeurbanne | COMMUNE | Place Lazare-Goujon | 69100 | 69266 | Villeurbanne | Q
Métropole de Lyon | COLLECTIVITE | 20 rue du Lac | 69003 | 69123 | Lyon |
Centre social Le Grand Vire | PRIVATE | 23 rue Jules-Romains | 69120 | 69256 | Vaulx-en-Velin | Q
Mairie de Vénissieux | COMMUNE | 5 avenue Marcel-Houël | 69200 | 69259 | Vénissieux | Q
Département de l'Ain | DEPARTEMENT | 45 avenue Alsace-Lorraine | 01000 | 01053 | Bourg-en-Bresse |
Haut-Bugey Agglomération | EPCI | 57 rue René-Nicod | 01100 | 01283 | Oyonnax | F
Association Isère Numérique Solidaire | PRIVATE | 8 rue Chenoise | 38000 | 38185 | Grenoble | Q
Mairie de Saint-Étienne | COMMUNE | Place de l'Hôtel-de-Ville | 42000 | 42218 | Saint-Étienne |
Communauté de communes du Pays de Mauriac | EPCI | 2 place Georges-Pompidou | 15200 | 15120 | Mauriac | FZ
Département du Cantal | DEPARTEMENT | 28 avenue Gambetta | 15000 | 15014 | Aurillac | Z
La Poste – France Services de Montluçon | PRIVATE | 1 rue de la Poste | 03100 | 03185 | Montluçon | F
Ambert Livradois Forez | EPCI | 15 avenue du 11-Novembre | 63600 | 63003 | Ambert | FZ
Mairie d'Annecy | COMMUNE | 1 rue Jean-Jaurès | 74000 | 74010 | Annecy |
Communauté d'agglomération Privas Centre Ardèche | EPCI | 1 rue Serre-du-Serret | 07000 | 07186 | Privas | Z
Mairie de Saint-Denis | COMMUNE | 2 place Victor-Hugo | 93200 | 93066 | Saint-Denis | Q
Centre social Espace 19 | PRIVATE | 251 rue de Crimée | 75019 | 75056 | Paris | Q
Département du Val-de-Marne | DEPARTEMENT | Avenue du Général-de-Gaulle | 94000 | 94028 | Créteil |
Croix-Rouge française – Montreuil | PRIVATE | 40 rue Gaston-Lauriau | 93100 | 93048 | Montreuil | Q
Mairie de Meaux | COMMUNE | Place de l'Hôtel-de-Ville | 77100 | 77284 | Meaux |
Emmaüs Connect – Lille | PRIVATE | 12 rue de Wazemmes | 59000 | 59350 | Lille | Q
Mairie de Roubaix | COMMUNE | 17 Grand-Place | 59100 | 59512 | Roubaix | Q
Département de la Somme | DEPARTEMENT | 43 rue de la République | 80000 | 80021 | Amiens |
Communauté urbaine d'Arras | EPCI | 146 rue Émile-Zola | 62000 | 62041 | Arras |
GIP Maison de l'emploi du Pays de Laon | GIP | 3 rue Fernand-Christ | 02000 | 02408 | Laon |
Rennes Métropole | EPCI | 4 avenue Henri-Fréville | 35000 | 35238 | Rennes |
Département du Finistère | DEPARTEMENT | 32 boulevard Dupleix | 29000 | 29232 | Quimper |
Association Brest Solidarités Numériques | PRIVATE | 14 rue de Siam | 29200 | 29019 | Brest | Q
Mairie de Saint-Brieuc | COMMUNE | Place du Général-de-Gaulle | 22000 | 22278 | Saint-Brieuc | F
Mairie de Toulouse | COMMUNE | Place du Capitole | 31000 | 31555 | Toulouse |
Montpellier Méditerranée Métropole | EPCI | 50 place Zeus | 34000 | 34172 | Montpellier |
Département des Pyrénées-Orientales | DEPARTEMENT | 24 quai Sadi-Carnot | 66000 | 66136 | Perpignan |
Familles Rurales – Fédération de l'Aveyron | PRIVATE | 8 avenue Tarayre | 12000 | 12202 | Rodez | Z
Communauté d'agglomération de l'Albigeois | EPCI | Rue de l'Hôtel-de-Ville | 81000 | 81004 | Albi | F
Centre social et culturel Frais-Vallon | PRIVATE | 53 boulevard Frais-Vallon | 13013 | 13055 | Marseille | Q
GIP Politique de la ville du Grand Avignon | GIP | 9 rue Saint-Agricol | 84000 | 84007 | Avignon | Q
Communauté d'agglomération Gap-Tallard-Durance | EPCI | 1 place Saint-Arnoux | 05000 | 05061 | Gap | FZ
Mairie de Bordeaux | COMMUNE | Place Pey-Berland | 33000 | 33063 | Bordeaux |
Département de la Creuse | DEPARTEMENT | 4 place Louis-Lacrocq | 23000 | 23096 | Guéret | Z
Ligue de l'enseignement – Haute-Vienne | PRIVATE | 22 rue du Lieutenant-Meynieux | 87000 | 87085 | Limoges |
Eurométropole de Strasbourg | EPCI | 1 parc de l'Étoile | 67000 | 67482 | Strasbourg |
Département des Ardennes | DEPARTEMENT | Place de la Préfecture | 08000 | 08105 | Charleville-Mézières | Z
Région Réunion | REGION | Avenue René-Cassin | 97400 | 97411 | Saint-Denis |
Mairie du Port | COMMUNE | 9 rue Renaudière-de-Vaux | 97420 | 97407 | Le Port | Q
""")
RESEAUX = {
    "La Poste – France Services de Montluçon": "La Poste",
    "Croix-Rouge française – Montreuil": "Croix-Rouge française",
    "Emmaüs Connect – Lille": "Emmaüs Connect",
    "Familles Rurales – Fédération de l'Aveyron": "Familles Rurales",
    "Ligue de l'enseignement – Haute-Vienne": "Ligue de l'enseignement",
}
STATUTS = {
    "Mairie d'Annecy": _S.CREEE,
    "Mairie de Meaux": _S.CREEE,
    "Communauté d'agglomération Privas Centre Ardèche": _S.ABANDON,
}
# The first digits of a SIREN tell the legal category: 2x for local authorities, 13 for a GIP.
SIREN_PREFIXES = {
    _T.COMMUNE: "21",
    _T.EPCI: "20",
    _T.COLLECTIVITE: "20",
    _T.DEPARTEMENT: "22",
    _T.REGION: "23",
    _T.GIP: "13",
    _T.PRIVATE: "7",
}
DOTATIONS = [1, 2, 3, 3, 4, 4, 5, 6]

PRENOMS_F = _words(
    "Camille Léa Manon Chloé Emma Sarah Inès Julie Laura Marie Pauline Claire Lucie Élodie Aurélie Sandrine "
    "Nathalie Céline Amandine Fatima Nadia Samia Yasmina Océane Justine Mélanie Sophie Anaïs Charlotte Awa"
)
PRENOMS_M = _words(
    "Thomas Nicolas Julien Lucas Hugo Maxime Antoine Alexandre Romain Kévin Mehdi Karim Yanis Samir Mamadou "
    "Moussa Jérémy Sébastien Guillaume Florian Baptiste Quentin Théo Mathieu Olivier Franck Christophe Loïc"
)
NOMS = _words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy "
    "Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller "
    "Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia "
    "Perrin Robin Clément Morin Henry Roussel Mathieu Masson Marchand Duval Denis Dumont Lemaire Noël Meyer "
    "Dufour Meunier Brun Blanchard Giraud Joly Rivière Brunet Gaillard Barbier Arnaud Martinez Roche Renard "
    "Schmitt Roy Leroux Colin Vidal Caron Picard Fabre Aubert Lemoine Renaud Dumas Lacroix Payet Hoarau "
    "Benali Haddad Diallo Traoré Nguyen Le_Gall Le_Goff"
)

# Fonctions (masculine, feminine) of the structure's contact, by type of structure.
CONTACT_FONCTIONS = {
    _T.COMMUNE: [("Directeur général des services", "Directrice générale des services")],
    _T.EPCI: [("Chargé de mission inclusion numérique", "Chargée de mission inclusion numérique")],
    _T.COLLECTIVITE: [("Chargé de mission inclusion numérique", "Chargée de mission inclusion numérique")],
    _T.DEPARTEMENT: [("Chef du service insertion", "Cheffe du service insertion")],
    _T.REGION: [("Chef de projet numérique", "Cheffe de projet numérique")],
    _T.GIP: [("Directeur", "Directrice")],
    _T.PRIVATE: [("Président", "Présidente"), ("Directeur", "Directrice")],
    "La Poste": [("Directeur d'établissement", "Directrice d'établissement")],
}
SUPERIEUR_FONCTIONS = [
    ("Responsable du pôle numérique", "Responsable du pôle numérique"),
    ("Directeur de la médiathèque", "Directrice de la médiathèque"),
    ("Chef du service solidarités", "Cheffe du service solidarités"),
    ("Coordinateur France Services", "Coordinatrice France Services"),
    ("Directeur du centre social", "Directrice du centre social"),
]
# Blocks the ARCEP reserves for fiction (never given to a subscriber), by region of the phone plan.
PHONE_BLOCKS = {"01": "01 99 00", "02": "02 61 91", "03": "03 53 01", "04": "04 65 71", "05": "05 36 49"}
PHONE_ZONE_OF_REGION = {
    region: zone
    for zone, regions in {
        "01": "11",
        "02": "24 28 52 53",
        "03": "27 32 44",
        "04": "84 93 94",
        "05": "75 76",
    }.items()
    for region in regions.split()
}
MOBILE_BLOCK = "06 39 98"
HORAIRES = [
    "Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h",
    "Mardi et jeudi, 9 h – 17 h ; samedi, 9 h – 12 h",
    "Lundi, mercredi et vendredi, 13 h 30 – 18 h",
    "Du mardi au samedi, sur rendez-vous",
]
MOTIFS_RUPTURE = [
    MotifRupture.DEMISSION,
    MotifRupture.DEMISSION,
    MotifRupture.NOUVEL_EMPLOI,
    MotifRupture.RUPTURE_CONVENTIONNELLE,
    MotifRupture.FIN_PERIODE_ESSAI,
    MotifRupture.LICENCIEMENT,
    MotifRupture.AUTRE,
]
PUBLIC_CONTRATS = [
    TypeContrat.PUBLIC,
    TypeContrat.CONTRAT_PROJET,
    TypeContrat.CONTRAT_PROJET,
    TypeContrat.CDD,
]
PRIVATE_CONTRATS = [TypeContrat.CDD, TypeContrat.CDD, TypeContrat.CDI]

# The demo accounts that are not conseillers: e-mail, prénom, nom, role.
PILOTAGE_ACCOUNTS = [
    ("structure@demo.test", "Hélène", "Garnier", RoleKind.STRUCTURE),
    ("prefet@demo.test", "Pierre", "Lambert", RoleKind.PREFET),
    ("hub@demo.test", "Aurélie", "Chevalier", RoleKind.HUB),
    ("admin@demo.test", "Marc", "Rousseau", RoleKind.ADMIN),
]
CONSEILLER_ACCOUNT = "conseiller@demo.test"
COORDINATEUR_ACCOUNT = "coordinateur@demo.test"
