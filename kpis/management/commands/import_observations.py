from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis import figures, imports


class Command(BaseCommand):
    help = (
        "Import KPI figures from a spreadsheet (.xlsx, .csv, .tsv): the report's layout (one "
        "row per KPI, one column per month; prose around the table is skipped) or one row per "
        "figure (ref, month, value, and optionally numerator, denominator, note). Shows what "
        "is new, changed and unchanged. If any figure has a problem nothing is written and "
        "the command fails; otherwise all figures are written in one transaction, each kept "
        "in its history with the file's name as the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="The spreadsheet: .xlsx, .csv, .tsv (or tab-separated .txt)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change and write nothing."
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why, kept in each changed figure's history with the file's name. Needed "
            "when the file changes a closed month.",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="Who is importing: the user name the changes are recorded under (an "
            "analyst). To change a closed month, the user needs the permission to amend "
            "closed periods.",
        )
        parser.add_argument(
            "--decimal-comma",
            action="store_true",
            help="The file writes decimals with commas (19,61; 1.234,5). Without it a decimal "
            "comma is refused, and a comma is read only as a thousands separator (1,234).",
        )
        parser.add_argument(
            "--hidden-sheets",
            action="store_true",
            help="Read the workbook's hidden and very hidden sheets too (skipped otherwise).",
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Confirm the figures that deserve a second look (an unusual value, a "
            "percentage that looks like a fraction of one); without it they are listed and "
            "nothing is written.",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        dry_run: bool = False,
        reason: str = "",
        user: str = "",
        confirm: bool = False,
        decimal_comma: bool = False,
        hidden_sheets: bool = False,
        **options: Any,
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        by = get_user_model().objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"No active user is called {user!r}.")
        if not by.has_perms(figures.WRITE_PERMISSIONS):
            raise CommandError(f"{user} may not change figures (an analyst's permission).")
        outcome = imports.import_file(
            name=path.name,
            content=path.read_bytes(),
            by=by,
            reason=reason,
            dry_run=dry_run,
            confirmed=confirm,
            source=figures.Source.COMMAND,
            options=imports.ReadOptions(decimal_comma=decimal_comma, hidden_sheets=hidden_sheets),
        )
        plan = outcome.plan
        layout = f"{plan.reading.layout} layout, " if plan.reading.layout else ""
        self.stdout.write(f"{path.name}: {layout}{len(plan.reading.figures)} figures read.")
        self.stdout.write(f"{plan.summary.capitalize()}.")
        for note in plan.reading.notes:
            self.stdout.write(f"Note: {note}")
        if plan.changed:
            self.stdout.write("Changed:")
            for change in plan.changed:
                self.stdout.write(
                    f"  KPI {change.kpi.ref}, {change.month_label}: {change.old_formatted} → "
                    f"{change.formatted}  ({change.place})"
                )
        if plan.warnings:
            self.stdout.write(
                "To check (confirmed with --confirm):"
                if confirm
                else "To check (--confirm to import them):"
            )
            for change in plan.warnings:
                self.stdout.write(
                    f"  KPI {change.kpi.ref}, {change.month_label}: {'; '.join(change.warnings)}"
                    f"  ({change.place})"
                )
        if plan.new and options.get("verbosity", 1) >= 2:
            self.stdout.write("New:")
            for change in plan.new:
                self.stdout.write(
                    f"  KPI {change.kpi.ref}, {change.month_label}: {change.formatted}  "
                    f"({change.place})"
                )
        if outcome.problems:
            self.stderr.write("Problems:")
            for problem in outcome.problems:
                context = f" ({problem.context})" if problem.context else ""
                self.stderr.write(f"  {problem}{context}")
            count = len(outcome.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''}: nothing was written. Correct the "
                "file and import it again."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif outcome.written:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {len(outcome.written)} figures: {len(plan.new)} new, "
                    f"{len(plan.changed)} changed."
                )
            )
        else:
            self.stdout.write("Nothing to import: every figure is stored already, as it is.")
