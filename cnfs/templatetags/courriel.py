"""`{{ value|cite }}`: text that users typed, in an e-mail, quoted on one short line (cnfs.texte.cite)."""

from django import template

from cnfs import texte

register = template.Library()
register.filter("cite", texte.cite)
