"""`manage.py import_dpa`: agency copy from files, a drop folder or dpa's wireQ (DESIGN.md, "Importer").

    import_dpa [--section SLUG] [--agency SLUG] [--dry-run] PATH…
    import_dpa [--section SLUG] [--agency SLUG] --watch DIR [--once]
    import_dpa [--section SLUG] [--agency SLUG] --wireq BASE_URL [--once]

One line per story on standard output, `<outcome> <name>: <headline or error>`
(the file's path for each story of a file; the entry's urn, or `entry N`, for wireQ),
then the summary. Lines about the run itself (waits, network errors) go to standard error.
Exit 0 when no story failed, 1 when some failed, 2 for a usage error; `--watch` and
`--wireq` without `--once` run until SIGTERM/SIGINT and then exit 0: their failed input
is kept (`DIR/failed/`, and as failed agency input in the admin).
"""

import sys
from collections import Counter
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.ingest import batch, intake, sources
from articles.ingest.watch import DropFolder
from articles.ingest.wireq import Puller, WireQ
from articles.models import Agency, Section

OUTCOMES = ("created", "updated", "unchanged", "held", "failed")


class Command(BaseCommand):
    # Not the project's system checks (URLs, templates, admin) on every run: an importer
    # started per file or per desk would spend more on them than on a file.
    requires_system_checks = []
    help = (
        "Import agency copy (dpa text and feed formats) from files, directories or stdin (-), "
        "from a drop folder (--watch DIR) or from dpa's wireQ (--wireq BASE_URL)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.parser = super().create_parser(prog_name, subcommand, **kwargs)
        return self.parser

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="a file, a directory (its *.txt, *.json, *.xml and *.iptc files), or - for standard input",
        )
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
        parser.add_argument(
            "--watch",
            metavar="DIR",
            help="import each file dropped into DIR, then move it to DIR/done/ or DIR/failed/",
        )
        parser.add_argument(
            "--wireq",
            metavar="BASE_URL",
            help="pull dpa's wireQ queue at BASE_URL (POST BASE_URL/dequeue-entries.json)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="with --watch or --wireq: take what is waiting now, then exit",
        )

    def handle(self, *args, paths, section, agency, dry_run, watch, wireq, once, **options):
        self.check_usage(paths, dry_run, watch, wireq, once)
        section = lookup(Section, section or settings.NEWSROOM_DEFAULT_SECTION, "--section")
        agency = lookup(Agency, agency or settings.NEWSROOM_DEFAULT_AGENCY, "--agency")
        self.counts = Counter()
        if watch or wireq:
            clean = self.run_feed(watch, wireq, once, section, agency)
            self.summary()
            if once and (self.counts["failed"] or not clean):
                sys.exit(1)
            return
        with rolled_back() if dry_run else nullcontext():
            inputs = (read(source) for source in sources.expand(paths))
            stories = batch.import_inputs(inputs, section=section, agency=agency, pictures=not dry_run)
            for source, story in stories:
                self.line(story.outcome, source.name, story.detail)
        self.summary()
        if self.counts["failed"]:
            sys.exit(1)

    def check_usage(self, paths, dry_run, watch, wireq, once) -> None:
        error = None
        if watch and wireq:
            error = "--watch and --wireq: one at a time"
        elif (watch or wireq) and paths:
            error = "PATH cannot be given with --watch or --wireq"
        elif (watch or wireq) and dry_run:
            error = "--dry-run cannot be used with --watch or --wireq (they move files and empty the queue)"
        elif once and not (watch or wireq):
            error = "--once goes with --watch or --wireq"
        elif not (paths or watch or wireq):
            error = "the following arguments are required: PATH"
        elif watch and not Path(watch).is_dir():
            error = f"--watch: no directory '{watch}'"
        elif wireq and not wireq.startswith(("http://", "https://")):
            error = "--wireq: BASE_URL must be an http:// or https:// address"
        if error:
            if self.parser.called_from_command_line:
                self.parser.error(error)  # usage, the message, exit 2
            raise CommandError(error, returncode=2)

    def run_feed(self, watch, wireq, once, section, agency) -> bool:
        """The drop folder or the queue until stopped; False when the last poll did not work."""
        with intake.Stopper() as stopper:
            common = dict(section=section, agency=agency, report=self.line, log=self.log, stopper=stopper)
            if watch:
                folder = DropFolder(Path(watch), **common)
                try:
                    folder.prepare()
                except OSError as error:
                    message = f"--watch: {error.strerror or error}: {error.filename}"
                    raise CommandError(message, returncode=2) from None
                folder.run(once=once)
                clean = True
            else:
                puller = Puller(WireQ(wireq), **common)
                puller.run(once=once)
                clean = not puller.poll_failed
            if stopper.signal_name:
                self.log(f"stopped by {stopper.signal_name}")
        return clean

    def line(self, outcome: str, name: str, detail: str) -> None:
        self.counts[outcome] += 1
        self.stdout.write(f"{outcome} {name}: {detail}")
        self.stdout.flush()

    def log(self, message: str) -> None:
        self.stderr.write(f"import_dpa: {message}")
        self.stderr.flush()

    def summary(self) -> None:
        self.stdout.write(", ".join(f"{self.counts[outcome]} {outcome}" for outcome in OUTCOMES))
        self.stdout.flush()


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


def read(source) -> tuple[sources.Source, bytes | intake.Story]:
    try:
        return source, source.read()
    except OSError as error:
        return source, intake.Story(intake.FAILED, f"cannot read: {error.strerror or error}", b"")
