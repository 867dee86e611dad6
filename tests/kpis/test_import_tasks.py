"""Long work off the request: an uploaded file is read and imported by the background worker
(Django's tasks), its preview kept with it and never read again on viewing; the analyst's
page follows the work through a JSON endpoint. Nothing is written inside the web request."""

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResult, task_backends
from django.tasks.backends.dummy import DummyBackend
from django.urls import reverse

from kpis import imports
from kpis.models import ImportedFile, ImportStatus, Observation
from tests.recording import record

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/kpis/importedfile/add/"
JUNE = dt.date(2022, 6, 1)
DEFERRED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def upload(client, content: bytes, name: str = "june.csv", **fields):
    file = io.BytesIO(content)
    file.name = name
    response = client.post(UPLOAD_URL, {"file": file, "reason": "", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def status_of(client, preview_url: str) -> dict[str, Any]:
    imported = ImportedFile.objects.get()
    url = reverse("admin:kpis_importedfile_status", args=[imported.pk])
    response = client.get(url)
    assert response.status_code == 200
    state: dict[str, Any] = response.json()
    return state


def queued() -> list[TaskResult[Any, Any]]:
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    return backend.results


def run_queued() -> None:
    """Run what the deferred (dummy) backend holds, as the worker would."""
    for result in list(queued()):
        result.task.call(*result.args, **result.kwargs)
    queued().clear()


def preview_of(imported: ImportedFile) -> dict[str, Any]:
    assert imported.preview is not None
    preview: dict[str, Any] = imported.preview
    return preview


def figure(ref: str = "1") -> Decimal | None:
    return Observation.objects.get(kpi__ref=ref, month=JUNE).value


def test_the_preview_is_kept_and_viewing_it_reads_nothing_again(
    analyst_client, demo_kpis, monkeypatch, django_assert_max_num_queries
):
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n2,Jun-22,45.5\n")
    imported = ImportedFile.objects.get()
    assert imported.status == ImportStatus.PREVIEWED
    assert preview_of(imported)["summary"] == "0 new, 1 changed, 1 unchanged"
    assert preview_of(imported)["changed"][0] | {"description": ""} == {
        "ref": "1",
        "description": "",
        "month": "Jun-22",
        "closed": False,
        "old": "74.9%",
        "new": "75.0%",
        "fraction": "",
        "fraction_changed": False,
        "note": "",
        "note_changed": False,
        "stated": "",
        "stated_changed": False,
        "place": "line 2, Jun-22",
        "warnings": [],
    }

    def never(*args, **kwargs):
        raise AssertionError("the preview page read the file again")

    monkeypatch.setattr(imports, "read", never)
    monkeypatch.setattr(imports, "plan", never)
    for _ in range(3):
        with django_assert_max_num_queries(12):
            page = analyst_client.get(preview_url)
        assert "Changed figures: 1" in page.content.decode()
        assert "Import 1 figure" in page.content.decode()


def test_while_the_file_waits_the_page_says_so_and_follows_the_work(
    analyst_client, demo_kpis, settings
):
    settings.TASKS = DEFERRED
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    page = analyst_client.get(preview_url).content.decode()
    assert "Waiting to be read" in page
    assert "Waiting for the background worker" in page
    assert 'src="/static/admin/kpis/import-status.mjs"' in page
    assert 'data-import-status="/admin/kpis/importedfile/' in page
    assert "<script>" not in page  # no inline script: the module follows the work
    assert status_of(analyst_client, preview_url) | {"since": ""} == {
        "status": "queued",
        "working": True,
        "words": "Waiting to be read",
        "progress": "Waiting for the background worker",
        "since": "",
    }
    run_queued()
    assert status_of(analyst_client, preview_url)["working"] is False
    assert "Changed figures: 1" in analyst_client.get(preview_url).content.decode()


def test_importing_is_queued_never_written_inside_the_request(analyst_client, demo_kpis, settings):
    settings.TASKS = DEFERRED
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    run_queued()
    fingerprint = analyst_client.get(preview_url).context["form"].initial["fingerprint"]
    response = analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": "Late"})
    assert response.status_code == 302
    assert figure() == Decimal("74.9")  # nothing written in the request
    assert ImportedFile.objects.get().status == ImportStatus.IMPORTING
    assert "Being imported" in analyst_client.get(preview_url).content.decode()
    # A second press of the button while it waits queues nothing more.
    analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": "Late"})
    assert len(queued()) == 1
    run_queued()
    assert figure() == Decimal("75.0")
    imported = ImportedFile.objects.get()
    assert (imported.status, imported.summary, imported.reason) == (
        ImportStatus.IMPORTED,
        "0 new, 1 changed, 0 unchanged",
        "Late",
    )
    page = analyst_client.get(preview_url).content.decode()
    assert "Imported 1 figure from june.csv: 0 new, 1 changed." in page
    assert "Imported 1 figure" not in analyst_client.get(preview_url).content.decode()


def test_a_figure_changed_while_the_import_waited_is_not_overwritten(
    analyst_client, demo_kpis, settings
):
    settings.TASKS = DEFERRED
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    run_queued()
    fingerprint = analyst_client.get(preview_url).context["form"].initial["fingerprint"]
    analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": ""})
    record("1", "2022-06-01", "76.0")  # another analyst, before the worker gets to it
    run_queued()
    assert figure() == Decimal("76.0")
    imported = ImportedFile.objects.get()
    assert imported.status == ImportStatus.PREVIEWED
    assert preview_of(imported)["changed"][0]["old"] == "76.0%"
    page = analyst_client.get(preview_url).content.decode()
    assert "changed since you saw the preview" in page


def test_an_unexpected_error_in_the_worker_is_said_and_writes_nothing(
    analyst_client, demo_kpis, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "plan", broken)
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    imported = ImportedFile.objects.get()
    assert imported.status == ImportStatus.FAILED
    page = analyst_client.get(preview_url).content.decode()
    assert 'role="alert"' in page
    assert "stopped with an unexpected error (RuntimeError); nothing was written" in page
    assert figure() == Decimal("74.9")


def test_the_upload_form_declares_decimal_commas_and_hidden_sheets(analyst_client, demo_kpis):
    upload(analyst_client, b"ref\tmonth\tvalue\n14\tJun-22\t19,9\n", "june.tsv", decimal_comma="on")
    imported = ImportedFile.objects.get()
    assert (imported.decimal_comma, imported.hidden_sheets) == (True, False)
    assert preview_of(imported)["changed"][0]["new"] == "19.90"


@pytest.mark.parametrize("who", ["viewer_client", "manager_client"])
def test_only_analysts_see_where_an_import_is(request, who, analyst_client, demo_kpis):
    upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    imported = ImportedFile.objects.get()
    url = reverse("admin:kpis_importedfile_status", args=[imported.pk])
    response = request.getfixturevalue(who).get(url)
    assert response.status_code in (302, 403)
    assert b"previewed" not in response.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_reads_and_imports_the_file(analyst_client, demo_kpis, settings):
    """Through the real queue: the tasks are rows in the database, run by `db_worker`."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    preview_url = upload(analyst_client, b"ref,month,value\n1,Jun-22,75.0\n")
    assert ImportedFile.objects.get().status == ImportStatus.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert ImportedFile.objects.get().status == ImportStatus.PREVIEWED
    fingerprint = analyst_client.get(preview_url).context["form"].initial["fingerprint"]
    analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": "Late"})
    assert figure() == Decimal("74.9")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert figure() == Decimal("75.0")
    assert ImportedFile.objects.get().status == ImportStatus.IMPORTED


def test_a_file_uploaded_before_previews_were_kept_is_read_when_opened(
    analyst_client, analyst, demo_kpis
):
    content = b"ref,month,value\n1,Jun-22,75.0\n"
    imported = ImportedFile.objects.create(
        name="old.csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=analyst,
    )
    url = reverse("admin:kpis_importedfile_change", args=[imported.pk])
    analyst_client.get(url)  # the worker is asked to read it (here, at once)
    imported.refresh_from_db()
    assert imported.status == ImportStatus.PREVIEWED
    assert "Changed figures: 1" in analyst_client.get(url).content.decode()


def test_a_file_imported_before_previews_were_kept_shows_what_was_imported(
    analyst_client, analyst, demo_kpis
):
    from django.utils import timezone

    imported = ImportedFile.objects.create(
        name="march.csv",
        content=b"ref,month,value\n",
        sha256=hashlib.sha256(b"ref,month,value\n").hexdigest(),
        size=16,
        uploaded_by=analyst,
        status=ImportStatus.IMPORTED,
        committed_at=timezone.now(),
        summary="3 new, 0 changed, 0 unchanged",
    )
    page = analyst_client.get(reverse("admin:kpis_importedfile_change", args=[imported.pk]))
    assert "3 new, 0 changed, 0 unchanged" in page.content.decode()
    assert "The history of the figures it changed" in page.content.decode()
