"""The staff groups « Équipe nationale » and « Support » with their permissions (see accounts/groupes.py).

The permissions are listed here, frozen with the migration: a later model gets its permissions by a new
migration. Django creates permissions after the last migration (post_migrate): they are created here first,
so that a fresh database gets its groups in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")

# (app, model) -> the actions of the national team. « change » on a CRA is its restoration (the CRA form
# is read-only in the admin); on the aggregates' state, rebuilding a territory's aggregates; on an export,
# relaunching it.
EQUIPE_NATIONALE = {
    ("accounts", "user"): ALL,
    ("accounts", "role"): ALL,
    ("accounts", "invitation"): ("view", "delete"),
    ("structures", "region"): ("view",),
    ("structures", "departement"): ("view",),
    ("structures", "hub"): ALL,
    ("structures", "commune"): ("view",),
    ("structures", "codepostal"): ("view",),
    ("structures", "structure"): ALL,
    ("conseillers", "conseiller"): ALL,
    ("conseillers", "contrat"): ALL,
    ("conseillers", "permanence"): ALL,
    ("conseillers", "permanenceconseiller"): ALL,
    ("cra", "cra"): ("view", "change"),
    ("cra", "craredirection"): ("view",),
    ("cra", "crahistorique"): ("view",),
    ("ressourcerie", "document"): ALL,
    ("ressourcerie", "tag"): ALL,
    ("ressourcerie", "archive"): ("view",),
    ("stats", "etatagregats"): ("view", "change"),
    ("stats", "export"): ("view", "change"),
    ("admin", "logentry"): ("view",),
}
GROUPES = {
    "Équipe nationale": EQUIPE_NATIONALE,
    "Support": {model: ("view",) for model in EQUIPE_NATIONALE},
}


def groupes_creer(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for nom, modeles in GROUPES.items():
        voulues = {(app, f"{action}_{model}") for (app, model), actions in modeles.items() for action in actions}
        permissions = [
            permission
            for permission in Permission.objects.using(using).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in voulues
        ]
        manquantes = voulues - {(p.content_type.app_label, p.codename) for p in permissions}
        if manquantes:
            raise RuntimeError(f"Permissions introuvables pour le groupe {nom} : {sorted(manquantes)}")
        group, _ = Group.objects.using(using).get_or_create(name=nom)
        group.permissions.set(permissions)


def groupes_supprimer(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=GROUPES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conseillers", "0001_initial"),
        ("cra", "0001_initial"),
        ("ressourcerie", "0001_initial"),
        ("stats", "0003_agregat_jour_sans_index_simple"),
        ("structures", "0002_referentiel"),
    ]

    operations = [migrations.RunPython(groupes_creer, groupes_supprimer)]
