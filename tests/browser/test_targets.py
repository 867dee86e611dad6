"""The target form in a real browser: the rule is said as a sentence while it is typed, in a
polite live region, before saving; the page stays free of WCAG 2.2 A/AA violations."""

from playwright.sync_api import Page, expect

from kpis import demo
from kpis.models import Kpi, Target
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user


def test_the_rule_reads_as_a_sentence_as_the_analyst_types(page: Page):
    demo.load()
    make_user("ann.analyst", "Analyst", staff=True)
    sign_in(page, "ann.analyst")
    kpi = Kpi.objects.get(ref="1")
    page.goto(f"/admin/kpis/kpi/{kpi.pk}/change/")
    form = page.locator("#targets-0")
    rule = form.locator("output.target-rule")
    expect(rule).to_have_attribute("aria-live", "polite")
    expect(rule).to_have_text(
        "Green at 85.0% or more; amber from 80.0% to under 85.0%; red under 80.0%."
    )

    form.get_by_label("Amber band given as").select_option(label="A floor or ceiling value")
    form.get_by_label("Amber distance, floor or ceiling").fill("78")
    expect(rule).to_have_text(
        "Green at 85.0% or more; amber from 78.0% to under 85.0%; red under 78.0%."
    )
    form.get_by_label("Green when the figure is").select_option("more-than")
    expect(rule).to_have_text("Green over 85.0%; amber from 78.0% to 85.0%; red under 78.0%.")
    form.get_by_label("Amber distance, floor or ceiling").fill("90")
    expect(rule).to_have_text(
        "Not a complete rule yet: Target for KPI 1: the amber floor (90.0%) must be below the "
        "target (85.0%)."
    )
    form.get_by_label("Amber distance, floor or ceiling").fill("78")
    # The KPI's own fields, as they stand on the page, write the values.
    page.get_by_label("Decimals").fill("2")
    expect(rule).to_have_text("Green over 85.00%; amber from 78.00% to 85.00%; red under 78.00%.")
    assert_accessible(page)
    screenshot(page, "target-rule-preview")

    page.get_by_label("Decimals").fill("1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    target = Target.objects.get(kpi=kpi)
    assert (target.comparison, target.amber, str(target.amber_value)) == (
        "more-than",
        "limit",
        "78.0000",
    )


def test_a_new_target_on_its_own_page_is_described_for_its_kpi(page: Page):
    demo.load()
    make_user("ann.analyst", "Analyst", staff=True)
    sign_in(page, "ann.analyst")
    Target.objects.filter(kpi__ref="5").delete()
    page.goto("/admin/kpis/target/add/")
    rule = page.locator("output.target-rule")
    page.get_by_label("KPI:", exact=True).select_option(label=str(Kpi.objects.get(ref="5")))
    page.get_by_label("Green when the figure is").select_option("fewer-than")
    page.get_by_label("Target:", exact=True).fill("20")
    expect(rule).to_have_text("Green under 20; red at 20 or more.")
    page.get_by_label("Amber band given as").select_option(label="A floor or ceiling value")
    page.get_by_label("Amber distance, floor or ceiling").fill("25")
    expect(rule).to_have_text("Green under 20; amber from 20 to 25; red over 25.")
    assert_accessible(page)
    screenshot(page, "target-add-preview")
