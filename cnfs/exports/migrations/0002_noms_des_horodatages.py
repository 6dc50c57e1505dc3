from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial")]

    operations = [
        migrations.RenameField("export", "cree_le", "created_at"),
        migrations.RenameField("export", "demarre_le", "started_at"),
        migrations.RenameField("export", "termine_le", "finished_at"),
        migrations.RenameField("export", "expire_le", "expires_at"),
        migrations.AlterModelOptions(
            name="export", options={"ordering": ["-created_at", "-pk"], "verbose_name": "export"}
        ),
        # The indexes follow their renamed columns in the database: only their description changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="export", name="export_demandeur"),
                migrations.RemoveIndex(model_name="export", name="export_etat_expire"),
                migrations.AddIndex(
                    model_name="export",
                    index=models.Index(fields=["demandeur", "-created_at"], name="export_demandeur"),
                ),
                migrations.AddIndex(
                    model_name="export",
                    index=models.Index(fields=["etat", "expires_at"], name="export_etat_expire"),
                ),
            ]
        ),
    ]
