"""Default targets, in business time: the first response, each next response, resolution.
Chat cases (a conversation continued by email) get a quicker first response."""

from typing import Any

from django.db import migrations

HOUR = 60
DEFAULTS = {
    # priority: (first response, next response, resolution) in business minutes
    "urgent": (1 * HOUR, 4 * HOUR, 8 * HOUR),
    "high": (4 * HOUR, 8 * HOUR, 24 * HOUR),
    "normal": (8 * HOUR, 16 * HOUR, 72 * HOUR),
    "low": (24 * HOUR, 48 * HOUR, 5 * 24 * HOUR),
}
CHAT_FIRST_RESPONSE = {"urgent": 30, "high": 1 * HOUR, "normal": 2 * HOUR, "low": 8 * HOUR}


def seed(apps: Any, schema_editor: Any) -> None:
    policy = apps.get_model("sla", "SlaPolicy")
    for priority, (first, following, resolution) in DEFAULTS.items():
        policy.objects.get_or_create(
            priority=priority,
            channel="",
            defaults={
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
            },
        )
        policy.objects.get_or_create(
            priority=priority,
            channel="chat",
            defaults={
                "first_response_minutes": CHAT_FIRST_RESPONSE[priority],
                "next_response_minutes": following,
                "resolution_minutes": resolution,
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("sla", "SlaPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
