"""{% load stats_format %}: {{ value|nombre }} "1 234 567", {{ row.percent|pourcentage }} "12,5 %",
{{ stats.temps_total|heures }} "89 h 30"."""

from django import template

from stats import formatting

register = template.Library()

register.filter("nombre", formatting.nombre)
register.filter("pourcentage", formatting.pourcentage)
register.filter("heures", formatting.heures)
