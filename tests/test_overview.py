import re

import pytest

from tests.kpis.test_demo import seed_kpi_table

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_every_kpi_with_its_june_2022_value(manager_client, demo_kpis):
    page = manager_client.get("/").content.decode()
    shown = dict(re.findall(r'data-kpi="([^"]+)">([^<]+)<', page))
    june = {
        ref: printed
        for (ref, month), (_, printed) in seed_kpi_table().items()
        if month == "2022-06"
    }
    june["5"] = "258"  # counts are shown as whole numbers
    assert {ref: shown[ref] for ref in june} == june
    assert shown["CIC"] == "848"
