import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The role an export is asked in. Exports asked before have none: they are neither made nor served
    again (SPEC §18: their scope cannot be checked) and are asked again from their page."""

    dependencies = [
        ("accounts", "0002_groupes"),
        ("stats", "0003_agregat_jour_sans_index_simple"),
    ]

    operations = [
        migrations.AddField(
            model_name="export",
            name="role",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.role",
                verbose_name="rôle",
            ),
        ),
    ]
