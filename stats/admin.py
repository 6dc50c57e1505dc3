from django.contrib import admin

from stats.models import EtatAgregats


@admin.register(EtatAgregats)
class EtatAgregatsAdmin(admin.ModelAdmin):
    """Read only: the aggregates are written by stats.services alone (rebuild_stats, the recomputes);
    the rows themselves are not shown (millions of them, checked by check_stats)."""

    list_display = ["reconstruit_le", "duree_secondes", "lignes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
