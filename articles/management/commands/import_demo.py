from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO = Path(settings.BASE_DIR) / "demo" / "dpa"


class Command(BaseCommand):
    help = "Import the bundled demo agency texts, a folder per section (safe to repeat)."

    def handle(self, *args, **options):
        for folder in sorted(path for path in DEMO.iterdir() if path.is_dir()):
            call_command("import_dpa", str(folder), section=folder.name, stdout=self.stdout)
