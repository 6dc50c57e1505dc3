"""The audit trail of the national team's changes: Django's admin journal (LogEntry).

The admin already writes one entry per addition, change and deletion made through its forms; here it also
records the old and new values of each changed field (AuditAdminMixin), and the admin actions and the
imports write their own entries (journal_write) with a readable French message. Every entry shows in the
object's « Historique » page and in the « Journal des modifications » (cnfs/pages/admin/comptes.py).
"""

import datetime
from collections.abc import Iterable

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

__all__ = [
    "ADDITION",
    "CHANGE",
    "DELETION",
    "AuditAdminMixin",
    "champ_lisible",
    "changement_lisible",
    "journal_write",
    "modifications_lisibles",
    "valeur_lisible",
]

# Fields whose values never go into the journal (only the fact that they changed).
SECRETS = frozenset({"password", "token_hash"})
LONGUEUR_MAX = 80


def valeur_lisible(value) -> str:
    """A value as a person reads it in the journal: « vide », « oui », 01/03/2024, labels of choices."""
    if value is None or value == "" or value == [] or value == ():
        return "vide"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(sorted(str(item) for item in value)) or "vide"
    text = " ".join(str(value).split())
    return text if len(text) <= LONGUEUR_MAX else text[: LONGUEUR_MAX - 1] + "…"


def _form_value(field: forms.Field, value) -> str:
    """A form field's value (initial or cleaned) as shown to people: the label of a choice, an object."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        if value and not isinstance(value[0], models.Model):
            value = list(field.queryset.filter(pk__in=value))
        return valeur_lisible(list(value or []))
    if isinstance(field, forms.ModelChoiceField):
        if value not in (None, "") and not isinstance(value, models.Model):
            value = field.queryset.filter(pk=value).first()
        return valeur_lisible(value)
    if isinstance(field, forms.ChoiceField) and not isinstance(value, list | tuple):
        labels = {str(key): label for key, label in field.choices}
        return valeur_lisible(labels.get(str(value), value) if value not in (None, "") else value)
    return valeur_lisible(value)


def changement_lisible(form: forms.Form, name: str) -> str:
    """« Dotation (2 → 3) » for a changed field of a submitted form."""
    field = form.fields[name]
    label = capfirst(str(field.label or name))
    if name in SECRETS:
        return label
    before = _form_value(field, form.initial.get(name, field.initial))
    after = _form_value(field, form.cleaned_data.get(name))
    return f"{label} ({before} → {after})"


class AuditAdminMixin:
    """Journal entries of the admin forms with the values before and after each change.

    Django's message stays a JSON list (translated when shown, inlines included); only the names of the
    main form's changed fields are replaced by « Nom (avant → après) »."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if not add and message and "changed" in message[0] and "name" not in message[0]["changed"]:
            message[0]["changed"]["fields"] = [changement_lisible(form, name) for name in form.changed_data]
        return message


def journal_write(*, user, entries: Iterable[tuple[models.Model, int, str]]) -> int:
    """Writes one journal entry per (object, ADDITION / CHANGE / DELETION, French message) by `user`."""
    rows = [
        LogEntry(
            user_id=user.pk,
            content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=flag,
            # A message starting with "[" would be read as Django's JSON format.
            change_message=message.lstrip("["),
        )
        for obj, flag, message in entries
    ]
    LogEntry.objects.bulk_create(rows)
    return len(rows)


def champ_lisible(model, name: str, value) -> str:
    """A model field's value as shown in the journal: the label of a choice, « oui », a date."""
    field = model._meta.get_field(name)
    if field.choices and value not in (None, ""):
        value = dict(field.flatchoices).get(value, value)
    return valeur_lisible(value)


def modifications_lisibles(model, changes: dict[str, tuple]) -> str:
    """« dotation : 2 → 3 ; statut : Créée → Validée en comité de sélection » for {field: (before, after)}."""
    return " ; ".join(
        f"{model._meta.get_field(name).verbose_name} : {champ_lisible(model, name, before)} → "
        f"{champ_lisible(model, name, after)}"
        for name, (before, after) in changes.items()
    )
