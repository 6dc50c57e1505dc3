"""`{{ form|nombre_erreurs }}`: how many messages a form's error summary lists (fields' and the form's)."""

from django import template

register = template.Library()


@register.filter
def nombre_erreurs(form):
    return sum(len(messages) for messages in form.errors.values())
