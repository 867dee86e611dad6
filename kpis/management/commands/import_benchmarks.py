import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis import published
from sct_portal import periods


class Command(BaseCommand):
    help = (
        "Import published statistics: Explore Education Statistics CSV files (read with the "
        "benchmark mappings that name them), DfE's statistical-neighbour CSV files, and "
        "Ofsted's inspection outcomes (.ods). Each file is imported whole or not at all; "
        "importing a file again changes nothing; a newer release of a file supersedes the "
        "older one, which is kept. Fails, writing nothing for that file, on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="The published files.")
        parser.add_argument(
            "--mapping",
            default="",
            help="Read a CSV of statistics with this benchmark mapping only (by name).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change.")
        parser.add_argument("--label", default="", help="How the release is cited.")
        parser.add_argument(
            "--published-on", default="", help="The release's publication date: 2025-11-20."
        )
        parser.add_argument(
            "--in-force-from",
            default="",
            help="For a statistical-neighbour file: the first month it is in force, 2025-04 "
            "(blank: from the file's name).",
        )
        parser.add_argument("--user", help="The user name the import is recorded under.")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        by = None
        if options.get("user"):
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No user is called {options['user']!r}.")
        published_on = _date(options.get("published_on", ""), "--published-on")
        in_force_from = None
        if text := options.get("in_force_from", ""):
            try:
                in_force_from = periods.parse_month(text)
            except ValueError as error:
                raise CommandError(f"--in-force-from: {error}") from None
        failed = []
        for file in files:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: no such file.")
            plan = published.prepare(
                path.name,
                path.read_bytes(),
                mapping=options.get("mapping", ""),
                label=options.get("label", ""),
                published_on=published_on,
                in_force_from=in_force_from,
            )
            self._report(plan)
            if plan.problems:
                failed.append(path.name)
                continue
            if options.get("dry_run") or plan.changes_nothing:
                continue
            release = published.commit(plan, by=by)
            self.stdout.write(self.style.SUCCESS(f"  Imported as release {release.pk}."))
        if failed:
            raise CommandError(f"Nothing was imported from {', '.join(failed)}: see the problems.")
        if options.get("dry_run"):
            self.stdout.write("Dry run: nothing was written.")

    def _report(self, plan: published.Plan) -> None:
        self.stdout.write(f"{plan.file_name}: {plan.kind.label}. {plan.summary}.")
        if plan.supersedes is not None:
            self.stdout.write(f"  A newer release: it supersedes {plan.supersedes}.")
        for item in plan.mapped:
            self.stdout.write(
                f"  Mapping “{item.mapping}” (KPI {item.mapping.kpi.ref}): {len(item.values)} "
                f"values, periods {', '.join(item.periods)}; {item.added} new, {item.changed} "
                f"changed, {item.unchanged} unchanged, {item.dropped} no longer published."
            )
            for change in item.changes[:20]:
                self.stdout.write(
                    f"    {change.where}: {change.old or '–'} → {change.new or 'not published'}"
                )
        for note in plan.notes:
            self.stdout.write(f"  Note: {note}")
        for problem in plan.problems:
            self.stderr.write(f"  Problem: {problem}")


def _date(text: str, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: “{text}” is not a date such as 2025-11-20.") from None
