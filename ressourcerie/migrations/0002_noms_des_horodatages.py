from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ressourcerie", "0001_initial")]

    operations = [
        migrations.RenameField("document", "cree_le", "created_at"),
        migrations.RenameField("document", "modifie_le", "updated_at"),
        migrations.RenameField("archive", "creee_le", "created_at"),
        migrations.AlterModelOptions(
            name="document", options={"ordering": ["-created_at", "-pk"], "verbose_name": "document"}
        ),
        # The index follows its renamed column in the database: only its description changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="document", name="ressourcerie_doc_recents"),
                migrations.AddIndex(
                    model_name="document",
                    index=models.Index(fields=["-created_at", "-id"], name="ressourcerie_doc_recents"),
                ),
            ]
        ),
    ]
