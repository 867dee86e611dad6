"""Background work on uploaded spreadsheets (Django's tasks, run by `manage.py db_worker`):
reading a file into its preview, and importing it. Each task records where it is on the
ImportedFile, so that the analyst's page can say so; nothing long runs in a web request.

The preview is read once and kept; the import reads the file again and checks it against
the stored figures as they are then (kpis.figures.check, inside record_figures), so that
nothing stale is written: if the figures changed since the preview, the new preview is
kept and the analyst asked to look again.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils import timezone

from . import imports
from .models import ImportedFile, ImportStatus

logger = logging.getLogger(__name__)

FAILED = (
    "The work stopped with an unexpected error ({error}); nothing was written. Upload the "
    "file again, and if it happens again tell the portal's administrator."
)
CHANGED_SINCE = (
    "The stored figures changed since you saw the preview (another analyst saved some). "
    "Here is the preview as it stands now; check it and import again."
)


def set_status(
    imported: ImportedFile, status: ImportStatus, progress: str = "", **fields: Any
) -> None:
    imported.status = status
    imported.status_at = timezone.now()
    imported.progress = progress
    for name, value in fields.items():
        setattr(imported, name, value)
    imported.save(update_fields=["status", "status_at", "progress", *fields])


def _uploader(imported: ImportedFile) -> Any:
    """The analyst who uploaded the file, fresh (permissions are cached per instance);
    None when that user has been deleted (the write path then refuses)."""
    if imported.uploaded_by_id is None:
        return None
    return get_user_model().objects.filter(pk=imported.uploaded_by_id).first()


def _plan(imported: ImportedFile) -> imports.Plan:
    options = imports.ReadOptions(
        decimal_comma=imported.decimal_comma, hidden_sheets=imported.hidden_sheets
    )
    reading = imports.read(imported.name, bytes(imported.content), options=options)
    set_status(
        imported,
        ImportStatus(imported.status),
        f"Checking {len(reading.figures):,} figures against the stored ones",
    )
    return imports.plan(reading, by=_uploader(imported))


@task()
def read_import(imported_id: int) -> str:
    """Read an uploaded file and keep its preview."""
    imported = ImportedFile.objects.get(pk=imported_id)
    try:
        set_status(imported, ImportStatus.READING, "Reading the file")
        if not imported.content_is_intact():
            set_status(imported, ImportStatus.FAILED, error="The stored file is damaged.")
            return imported.status
        plan = _plan(imported)
        set_status(imported, ImportStatus.PREVIEWED, preview=imports.preview(plan), error="")
    except Exception as error:
        logger.exception("Reading import %s failed", imported_id)
        set_status(imported, ImportStatus.FAILED, error=FAILED.format(error=type(error).__name__))
        raise
    return imported.status


@task()
def commit_import(imported_id: int, *, fingerprint: str, reason: str, confirmed: bool) -> str:
    """Import a previewed file, all figures or none, if the figures it would change are as
    the analyst saw them in the preview (its fingerprint)."""
    imported = ImportedFile.objects.get(pk=imported_id)
    try:
        set_status(imported, ImportStatus.IMPORTING, "Reading the file again")
        plan = _plan(imported)
        if plan.fingerprint() != fingerprint:
            set_status(
                imported,
                ImportStatus.PREVIEWED,
                preview=imports.preview(plan),
                notice=CHANGED_SINCE,
            )
            return imported.status
        count = len(plan.to_write)
        set_status(imported, ImportStatus.IMPORTING, f"Writing {count:,} figures")
        try:
            written = imports.commit(
                plan=plan, by=_uploader(imported), reason=reason, confirmed=confirmed
            )
        except imports.ImportRefused as refused:
            words = " ".join(f"{problem}." for problem in refused.problems)
            set_status(
                imported,
                ImportStatus.PREVIEWED,
                preview=imports.preview(plan),
                notice=f"Nothing was imported. {words}",
            )
            return imported.status
        set_status(
            imported,
            ImportStatus.IMPORTED,
            committed_at=timezone.now(),
            reason=reason,
            summary=(
                f"{len(plan.new)} new, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged"
            ),
            notice=(
                f"Imported {len(written)} figure{'s' if len(written) != 1 else ''} from "
                f"{imported.name}: {len(plan.new)} new, {len(plan.changed)} changed."
            ),
        )
    except Exception as error:
        logger.exception("Importing %s failed", imported_id)
        set_status(imported, ImportStatus.FAILED, error=FAILED.format(error=type(error).__name__))
        raise
    return imported.status
