"""`{{ value|cite }}`: text users typed, in an e-mail, quoted on one short line (cnfs.socle.texte.cite)."""

from django import template

from cnfs.socle import texte

register = template.Library()
register.filter("cite", texte.cite)
