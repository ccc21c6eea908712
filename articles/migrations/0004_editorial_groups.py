from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Redaktion"
REPORTERS = "Autoren"

REPORTER_PERMISSIONS = [
    ("articles", "add_article"), ("articles", "change_article"), ("articles", "view_article"),
    ("articles", "add_relatedlink"), ("articles", "change_relatedlink"),
    ("articles", "delete_relatedlink"), ("articles", "view_relatedlink"),
    ("articles", "view_articleversion"), ("articles", "view_section"), ("articles", "view_agency"),
    ("taggit", "add_tag"), ("taggit", "view_tag"),
]
EDITOR_PERMISSIONS = REPORTER_PERMISSIONS + [
    ("articles", "publish_article"), ("articles", "delete_article"),
    ("articles", "add_correction"), ("articles", "change_correction"),
    ("articles", "delete_correction"), ("articles", "view_correction"),
    ("articles", "change_heldupdate"), ("articles", "view_heldupdate"),
    ("taggit", "change_tag"),
]


def create_groups(apps, schema_editor):
    if apps is not global_apps:
        # Permissions are normally made after all migrations; the groups need them now.
        for label in ("articles", "taggit"):
            app_config = apps.get_app_config(label)
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ((REPORTERS, REPORTER_PERMISSIONS), (EDITORS, EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow_pictures_corrections"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
