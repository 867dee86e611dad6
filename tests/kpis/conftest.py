import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User

from bench import dataset
from kpis import demo
from kpis.models import Kpi
from tests.conftest import SEED_REPORT

SEED_NAME = "sandwell-q1-2022-performance-report.tsv"


@pytest.fixture
def kpi_definitions(db) -> dict[str, Kpi]:
    """The seed report's KPIs (definitions only: no figures)."""
    demo.define_kpis(descriptions={}, first_month=dt.date(2021, 4, 1))
    return {kpi.ref: kpi for kpi in Kpi.objects.all()}


@pytest.fixture
def seed_bytes() -> bytes:
    """The seed report as it stands: prose, the KPI table, more prose."""
    return SEED_REPORT.read_bytes()


def grant_amending(user: User) -> User:
    """Give a user the permission to amend closed periods; returns a fresh instance (Django
    caches permissions on the instance)."""
    user.user_permissions.add(Permission.objects.get(codename="amend_closed_period"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def lead_analyst(analyst) -> User:
    return grant_amending(analyst)


NUMBER = re.compile(r"^\s*-?\d[\d,]*(\.\d+)?\s*%?\s*$")


def workbook_from_text(text: str, *, sheet: str = "Sheet1", as_text: bool = False) -> bytes:
    """An .xlsx holding a tab-separated text line by line, cell by cell, as someone pasting
    it into Excel would get: numbers as numbers (percentages as fractions formatted "0.0%"),
    everything else as text. `as_text` keeps every cell as typed text instead."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row, line in enumerate(text.splitlines(), 1):
        for column, raw in enumerate(line.split("\t"), 1):
            if not raw.strip():
                continue
            cell = worksheet.cell(row, column)
            if not as_text and NUMBER.match(raw):
                number = raw.strip().replace(",", "")
                if number.endswith("%"):
                    digits = number[:-1].split(".")
                    places = len(digits[1]) if len(digits) > 1 else 0
                    cell.value = float(Decimal(number[:-1]) / 100)
                    cell.number_format = "0." + "0" * places + "%" if places else "0%"
                else:
                    cell.value = float(number) if "." in number else int(number)
            else:
                cell.value = raw
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def portfolio(db):
    """Builds `count` KPIs with `months` months of figures to Jun-22 (plus targets, goals
    and benchmarks): portfolio(count=200, months=24)."""

    def build(*, count: int, months: int = 24):
        return dataset.build(kpis=count, months=months)

    return build
