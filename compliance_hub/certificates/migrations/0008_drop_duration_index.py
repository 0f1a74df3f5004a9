"""The (facility, duration) index is gone: ``Facility.longest_assignment_days`` holds the bound.

Migration 0003 created it on databases migrated before this change (it no longer does).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certificates", "0007_search_name_indexes")]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS asg_fac_duration_idx", reverse_sql=migrations.RunSQL.noop
        ),
    ]
