import cnfs.exports.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models




def content_type_follows(apps, schema_editor):
    """The admin journal, the permissions and the national team's group follow the model (stats -> exports)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="stats", model="export").update(app_label="exports")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="exports", model="export").update(app_label="stats")


class Migration(migrations.Migration):
    """The Export model, moved from the statistics (stats 0005 renamed its table): declared here without
    touching the data."""

    initial = True

    dependencies = [
        ('accounts', '0004_adresses_non_prouvees'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('stats', '0005_export_vers_exports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Export',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('nature', models.CharField(choices=[('statistiques_pdf', 'Statistiques (PDF)'), ('cra_csv', "Comptes rendus d'activité (CSV)"), ('conseillers_csv', 'Liste de conseillers (CSV)')], max_length=30)),
                        ('libelle', models.CharField(max_length=300, verbose_name='libellé')),
                        ('nom_fichier', models.CharField(max_length=200, verbose_name='nom du fichier')),
                        ('parametres', models.JSONField(default=dict, verbose_name='paramètres')),
                        ('etat', models.CharField(choices=[('en_attente', 'En attente'), ('en_cours', 'En cours'), ('termine', 'Terminé'), ('echec', 'Échec'), ('expire', 'Expiré')], default='en_attente', max_length=20, verbose_name='état')),
                        ('progression', models.PositiveSmallIntegerField(default=0, verbose_name='progression (%)')),
                        ('lignes', models.PositiveIntegerField(default=0, verbose_name='lignes écrites')),
                        ('fichier', models.FileField(blank=True, upload_to=cnfs.exports.models.export_path)),
                        ('taille', models.PositiveBigIntegerField(default=0, verbose_name='taille (octets)')),
                        ('erreur', models.TextField(blank=True)),
                        ('tentatives', models.PositiveSmallIntegerField(default=0)),
                        ('cree_le', models.DateTimeField(auto_now_add=True, verbose_name='demandé le')),
                        ('demarre_le', models.DateTimeField(blank=True, null=True, verbose_name='commencé le')),
                        ('termine_le', models.DateTimeField(blank=True, null=True, verbose_name='terminé le')),
                        ('expire_le', models.DateTimeField(blank=True, null=True, verbose_name='expire le')),
                        ('demandeur', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to=settings.AUTH_USER_MODEL)),
                        ('role', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.role', verbose_name='rôle')),
                    ],
                    options={
                        'verbose_name': 'export',
                        'ordering': ['-cree_le', '-pk'],
                        'indexes': [models.Index(fields=['demandeur', '-cree_le'], name='export_demandeur'), models.Index(fields=['etat', 'expire_le'], name='export_etat_expire')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progression__lte', 100)), name='export_progression_max')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_follows, content_type_back),
    ]
