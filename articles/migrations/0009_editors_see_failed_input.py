from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors look at agency input that failed and retry it (change = retry).
PERMISSIONS = ["view_failedentry", "change_failedentry"]


def grant(apps, schema_editor):
    if apps is not global_apps:
        app_config = apps.get_app_config("articles")
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Redaktion")
    for codename in PERMISSIONS:
        editors.permissions.add(
            Permission.objects.get(content_type__app_label="articles", codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_agency_feeds")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
