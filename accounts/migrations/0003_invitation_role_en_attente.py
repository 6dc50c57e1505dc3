"""The invitation carries the role it gives on acceptance (SPEC §18). The invitations sent before keep no
role (kind empty): theirs was given when they were sent, their link still sets the password."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_groupes"),
        ("conseillers", "0001_initial"),
        ("structures", "0002_referentiel"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="conseiller",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="conseillers.conseiller",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="departement",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="structures.departement",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="hub",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="structures.hub",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("conseiller", "Conseiller numérique"),
                    ("coordinateur", "Coordinateur"),
                    ("structure", "Structure"),
                    ("prefet", "Préfecture"),
                    ("hub", "Hub"),
                    ("admin", "Équipe nationale"),
                ],
                max_length=20,
                verbose_name="rôle",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="structures.region",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="structure",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="structures.structure",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("conseiller__isnull", True),
                        models.Q(
                            models.Q(
                                ("departement__isnull", True),
                                ("hub__isnull", True),
                                ("kind", "structure"),
                                ("region__isnull", True),
                                ("structure__isnull", False),
                            ),
                            models.Q(
                                ("hub__isnull", True),
                                ("kind", "prefet"),
                                ("structure__isnull", True),
                                models.Q(
                                    models.Q(("departement__isnull", False), ("region__isnull", True)),
                                    models.Q(("departement__isnull", True), ("region__isnull", False)),
                                    _connector="OR",
                                ),
                            ),
                            models.Q(
                                ("departement__isnull", True),
                                ("hub__isnull", False),
                                ("kind", "hub"),
                                ("region__isnull", True),
                                ("structure__isnull", True),
                            ),
                            models.Q(
                                ("departement__isnull", True),
                                ("hub__isnull", True),
                                ("kind__in", ["admin", ""]),
                                ("region__isnull", True),
                                ("structure__isnull", True),
                            ),
                            _connector="OR",
                        ),
                    ),
                    models.Q(
                        ("conseiller__isnull", False),
                        ("departement__isnull", True),
                        ("hub__isnull", True),
                        ("kind__in", ["conseiller", "coordinateur"]),
                        ("region__isnull", True),
                        ("structure__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="invitation_role_matches_kind",
            ),
        ),
    ]
