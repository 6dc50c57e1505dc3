from django.db import migrations

from structures.referentiel import DEPARTEMENTS, HUBS, REGIONS


def load_referentiel(apps, schema_editor):
    """Create or update the régions, départements and hubs of the référentiel."""
    Region = apps.get_model("structures", "Region")
    Departement = apps.get_model("structures", "Departement")
    Hub = apps.get_model("structures", "Hub")
    for code, nom in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"nom": nom})
    for code, nom, region in DEPARTEMENTS:
        Departement.objects.update_or_create(code=code, defaults={"nom": nom, "region_id": region})
    for nom, departements in HUBS:
        hub, _created = Hub.objects.get_or_create(nom=nom)
        hub.departements.set(departements)


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: structures, roles and conseillers point to them.
        migrations.RunPython(load_referentiel, migrations.RunPython.noop),
    ]
