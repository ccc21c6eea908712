import sys
from collections import Counter
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.ingest import formats, service, sources
from articles.ingest.parsed import ParseError
from articles.models import Agency, Section

OUTCOMES = ("created", "updated", "unchanged", "held", "failed")


class Command(BaseCommand):
    help = "Import agency copy (dpa text and feed formats) from files, directories or stdin (-)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--section",
            help="slug of the section for articles whose text names none "
            f"(default: {settings.NEWSROOM_DEFAULT_SECTION})",
        )
        parser.add_argument(
            "--agency",
            help="slug of the agency for texts without a credit line "
            f"(default: {settings.NEWSROOM_DEFAULT_AGENCY})",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")

    def handle(self, *args, paths, section, agency, dry_run, **options):
        section = lookup(Section, section or settings.NEWSROOM_DEFAULT_SECTION, "--section")
        agency = lookup(Agency, agency or settings.NEWSROOM_DEFAULT_AGENCY, "--agency")
        counts = Counter()
        with rolled_back() if dry_run else nullcontext():
            for source in sources.expand(paths):
                outcome, detail = import_one(source, section, agency)
                counts[outcome] += 1
                self.stdout.write(f"{outcome} {source.name}: {detail}")
        self.stdout.write(", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES))
        if counts["failed"]:
            sys.exit(1)


def lookup(model, slug, option):
    try:
        return model.objects.get(slug=slug)
    except model.DoesNotExist:
        known = ", ".join(model.objects.values_list("slug", flat=True))
        raise CommandError(
            f"{option}: no {model._meta.model_name} '{slug}' (known: {known})", returncode=2
        ) from None


@contextmanager
def rolled_back():
    """A dry run as one transaction, undone at the end: each file sees what the files
    before it would have written, and is reported as a real run would report it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def import_one(source, section, agency) -> tuple[str, str]:
    try:
        parsed = formats.parse(source.read())
        result = service.import_article(parsed, section=section, agency=agency)
    except (ParseError, service.ImportRejected) as error:
        return "failed", str(error)
    except OSError as error:
        return "failed", f"cannot read: {error.strerror or error}"
    except Exception as error:  # one bad file must not end the run with a traceback
        return "failed", f"unexpected error: {type(error).__name__}: {error}"
    return result.outcome, parsed.headline
