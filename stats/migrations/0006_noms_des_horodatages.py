from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0005_export_vers_exports")]

    operations = [
        migrations.RenameField("etatagregats", "reconstruit_le", "rebuilt_at"),
    ]
