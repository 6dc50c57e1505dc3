"""`{% dsfr_breadcrumb fil_ariane|breadcrumb_data %}`: the fil d'Ariane through django-dsfr's breadcrumb."""

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def breadcrumb_data(fil_ariane):
    """django-dsfr's breadcrumb data from the steps (`label`, `url`) of a page, the last being the page."""
    *liens, page = fil_ariane
    return {
        "links": [{"url": lien.url, "title": lien.label} for lien in liens],
        "current": page.label,
        # django-dsfr's first link, "Accueil", goes to root_dir: the service's home is not "/".
        "root_dir": reverse("accounts:home"),
    }
