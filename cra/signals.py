"""What the CRAs tell the applications above them, which this one never imports (docs/architecture.md): the
statistics recompute their aggregates from it (stats.apps)."""

from django.dispatch import Signal

# Sent inside the transaction that writes CRAs, with `cles`: the (day, structure_id, conseiller_id) each
# changed CRA was and is counted under. Receivers defer their work to the commit.
cras_changed = Signal()
