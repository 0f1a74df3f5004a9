from django.contrib import admin

from compliance_hub.activity.models import Activity
from compliance_hub.core.admin import ReadOnlyAdmin


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "verb", "facility", "target", "ip"]
    list_filter = ["verb"]
    search_fields = ["actor_label", "target"]
    date_hierarchy = "at"
    show_full_result_count = False
