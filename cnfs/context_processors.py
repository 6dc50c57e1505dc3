from django.conf import settings

from accounts.proconnect import proconnect_enabled

# django-dsfr's own context processor reads its configuration from the database on every page;
# the service's header and footer are fixed, so they come from the settings without a query.
_SITE_CONFIG = {
    "site_title": settings.SITE_NAME,
    "site_tagline": settings.SITE_TAGLINE,
    "header_brand_html": "République<br>Française",
    "footer_brand_html": "République<br>Française",
    "footer_description": (
        "Conseiller numérique France Services est un dispositif de l'Agence nationale de la cohésion des "
        "territoires (ANCT)."
    ),
    "accessibility_status": "NOT",
    "mourning": False,
    "beta_tag": False,
    "notice_title": "",
    "notice_description": "",
}


def site(request):
    # PROCONNECT_ENABLED: the login page shows ProConnect's button only when it is configured.
    return {"SITE_CONFIG": _SITE_CONFIG, "PROCONNECT_ENABLED": proconnect_enabled()}
