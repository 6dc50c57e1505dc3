"""`{{ value|date_fr:"j F Y" }}`: Django's `date` filter, with the French ordinal of the first day of a month
("1er décembre 2026", "2 décembre 2026")."""

import re

from django import template
from django.template import defaultfilters

register = template.Library()

# The day without leading zero ("j"), unless escaped ("\j" is a literal j).
_DAY = re.compile(r"(?<!\\)j")


@register.filter(expects_localtime=True, is_safe=False)
def date_fr(value, arg):
    if value in (None, ""):
        return ""
    if value.day == 1:
        arg = _DAY.sub(r"j\\e\\r", arg)
    return defaultfilters.date(value, arg)
