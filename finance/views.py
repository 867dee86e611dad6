from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sct_portal.periods import FinancialYear

from .charts import monitoring_chart, recovery_chart
from .summary import finance_summary, recorded_years
from .tables import MonitoringTable, RepaymentTable, RiskTable

PERMISSION = "finance.view_financeyear"


@permission_required(PERMISSION, raise_exception=True)
def latest_year(request: HttpRequest) -> HttpResponse:
    years = recorded_years()
    if not years:
        return render(request, "finance/year_list.html", {"years": years})
    return redirect("finance:year", year=years[0].slug)


@permission_required(PERMISSION, raise_exception=True)
def year_detail(request: HttpRequest, year: str) -> HttpResponse:
    try:
        financial_year = FinancialYear.parse(year)
    except ValueError:
        raise Http404(f"{year!r} is not a financial year (for example 2022-23)") from None
    if year != financial_year.slug:
        return redirect("finance:year", year=financial_year.slug, permanent=True)
    summary = finance_summary(year=financial_year)
    if summary is None:
        raise Http404(f"No finance is recorded for {financial_year.label}.")
    recovery = [
        {
            "plan": plan,
            "table": RepaymentTable(
                list(plan.repayments),
                caption=f"Repayments by year: {plan.title}",
                caption_id=f"repayments-{index}",
            ),
            "chart": recovery_chart(plan),
            "chart_id": f"recovery-chart-{index}",
            "data_id": f"recovery-chart-{index}-data",
        }
        for index, plan in enumerate(summary.recovery_plans, 1)
    ]
    monitoring = [
        {
            "quarter": quarter,
            "table": MonitoringTable(
                list(quarter.lines),
                total=quarter.total,
                caption=f"Budget, forecast outturn and variance by area, {quarter.quarter}",
                caption_id=f"monitoring-{quarter.quarter.slug}",
            ),
        }
        for quarter in reversed(summary.monitoring)
    ]
    latest = summary.latest_monitoring
    context = {
        "summary": summary,
        "years": recorded_years(),
        "recovery": recovery,
        "monitoring": monitoring,
        "monitoring_chart": monitoring_chart(latest) if latest else None,
        "risks": RiskTable(
            list(summary.risks),
            caption=f"Financial risk register, {financial_year.label}",
            caption_id="risk-register",
        ),
    }
    return render(request, "finance/year_detail.html", context)
