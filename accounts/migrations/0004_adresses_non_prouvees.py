"""Deletes the login addresses that allauth's e-mail page let an account add without proof (issue 14,
SPEC §18): the service never creates any; an account logs in with its User.email only."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Lower


def purge(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.annotate(adresse=Lower("email"), compte=Lower("user__email")).exclude(
        adresse=F("compte")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_invitation_role_en_attente"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(purge, migrations.RunPython.noop)]
