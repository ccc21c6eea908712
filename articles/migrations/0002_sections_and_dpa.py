from django.db import migrations

SECTIONS = [
    ("Nachrichten", "nachrichten"),
    ("Inland", "inland"),
    ("Ausland", "ausland"),
    ("Wirtschaft", "wirtschaft"),
    ("Sport", "sport"),
    ("Kultur", "kultur"),
    ("Wissenschaft", "wissenschaft"),
    ("Panorama", "panorama"),
]


def create(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    Agency = apps.get_model("articles", "Agency")
    for position, (name, slug) in enumerate(SECTIONS, start=1):
        Section.objects.get_or_create(slug=slug, defaults={"name": name, "position": position * 10})
    Agency.objects.get_or_create(
        slug="dpa",
        defaults={
            "name": "dpa",
            "domain": "dpa.de",
            "credit": "dpa",
            "publish_on_import": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
