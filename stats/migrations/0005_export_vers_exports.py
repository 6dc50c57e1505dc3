from django.db import migrations


class Migration(migrations.Migration):
    """The Export model leaves the statistics for its own application, cnfs.exports (docs/architecture.md):
    its table is renamed here, and the model is declared there (exports 0001) without touching the data."""

    dependencies = [
        ("stats", "0004_export_role"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="export", table="exports_export")],
            state_operations=[migrations.DeleteModel(name="export")],
        ),
    ]
