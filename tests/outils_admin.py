"""Helpers of the admin tests: a client logged in as the national team, query counts, listed rows."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client, path, data=None) -> int:
    """The number of queries of a GET that must answer 200 (after a first one, which fills the caches of
    content types and permissions)."""
    client.get(path, data or {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, data or {})
        assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def colonne(response, name: str) -> list[str]:
    """The texts of a changelist column (its `field-<name>` cells), tags removed."""
    cells = re.findall(rf'<t[dh] class="field-{name}[^"]*">(.*?)</t[dh]>', response.content.decode(), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def action(client, path, name, objets, **data):
    """POSTs an admin action on `objets` from their changelist."""
    return client.post(path, {"action": name, "_selected_action": [obj.pk for obj in objets], **data})
