"""The Export model left stats for cnfs.exports (stats 0005, exports 0001): an export made before keeps its
row, and the national team's group keeps its rights on exports."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stats", "0004_export_role"), ("accounts", "0004_adresses_non_prouvees")]
AFTER = [("stats", "0005_export_vers_exports"), ("exports", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_export_made_before_the_move_is_kept_with_its_rights():
    apps = _migrate(BEFORE)
    user = apps.get_model("accounts", "User").objects.create(email="avant@example.org")
    export = apps.get_model("stats", "Export").objects.create(
        demandeur=user, nature="cra_csv", libelle="CRA d'avant", nom_fichier="cra.csv"
    )

    apps = _migrate(AFTER)

    moved = apps.get_model("exports", "Export").objects.get(pk=export.pk)
    assert (moved.libelle, moved.demandeur_id) == ("CRA d'avant", user.pk)
    rights = apps.get_model("auth", "Group").objects.get(name="Équipe nationale").permissions
    assert sorted(rights.filter(content_type__app_label="exports").values_list("codename", flat=True)) == [
        "change_export",
        "view_export",
    ]
    assert not apps.get_model("contenttypes", "ContentType").objects.filter(app_label="stats", model="export")
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the next tests find the schema whole
