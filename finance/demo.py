"""Demo data: the finance facts of the Q1 2022/23 Sandwell report, and nothing more.

Each fact carries the report's own sentence, and loading checks that the sentence is in the
report (sct_portal/seed/). The report gives no contract-sum amount, no deficit amount, no
forecast, no monitoring lines, and no scores or owners for its risks: none are invented here.
Running load() again adds nothing and changes nothing an analyst has entered since.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from sct_portal.seed import check_quotes, cite

from .models import DeficitRecoveryPlan, FinanceYear, FinancialRisk, Repayment, RiskStatus

CONTRACT_SUM = (
    "The 2022/23 financial performance is being measured against the agreed 2022/23 Contract "
    "Sum as approved by Cabinet in February 2022."
)
SURPLUS = (
    "SCT will be seeking to achieve a surplus of £1.9m in 2022/23 as per the plan to repay the "
    "deficit from 2018/19 by the end of 2023/24."
)
PLACEMENT_COSTS = (
    "There continue to be financial pressures relating to the cost of placements. Like "
    "staffing, this is a nationally recognised issue, with significant concern about provider "
    "profiteering. The care review makes some recommendations to address this however it is "
    "unlikely that we will see the impact of any changes this financial year."
)
RESOURCE_PANEL = (
    "SCT has set up a 'resource demand panel' that will be reviewing existing placements, and "
    "their cost, and seek to ensure that children are entering care appropriately and to the "
    "correct type of placement based on their needs."
)
CCG_FUNDING = (
    "SCT reached a negotiated settlement in 2021/22 with West Birmingham and Black Country "
    "Clinical Commissioning Group in respect of funding health care needs for several complex "
    "young people in residential care. This process has commenced for 2022/23, however is an "
    "area of risk until funding agreements are confirmed."
)
QUOTES = (CONTRACT_SUM, SURPLUS, PLACEMENT_COSTS, RESOURCE_PANEL, CCG_FUNDING)

YEAR = 2022  # 2022/23
PLANNED_SURPLUS = Decimal("1900000.00")  # "a surplus of £1.9m in 2022/23"
OWNER = "Sandwell Children's Trust"


@transaction.atomic
def load(text: str | None = None) -> dict[str, int]:
    """Load the report's finance facts; running it again changes nothing."""
    check_quotes(QUOTES, text)
    counts = {"financial years": 0, "recovery plans": 0, "repayments": 0, "risks": 0}
    year, created = FinanceYear.objects.get_or_create(
        start_year=YEAR,
        defaults={
            "contract_sum": None,  # the report gives no amount
            "contract_sum_approved_by": "Cabinet",
            "contract_sum_approved_in": dt.date(2022, 2, 1),
            "planned_surplus": PLANNED_SURPLUS,
            "source": cite(CONTRACT_SUM, SURPLUS),
        },
    )
    counts["financial years"] += created
    plan, created = DeficitRecoveryPlan.objects.get_or_create(
        deficit_year=2018,
        defaults={
            "deficit_amount": None,  # the report gives no amount
            "repay_by_year": 2023,
            "description": "The trust plans surpluses to repay the deficit from 2018/19 by the "
            "end of 2023/24; the 2022/23 surplus of £1.9m is the plan's repayment for that year.",
            "source": cite(SURPLUS),
        },
    )
    counts["recovery plans"] += created
    repayments = [
        (2022, PLANNED_SURPLUS, "The planned surplus for 2022/23, as per the recovery plan."),
        (2023, None, "The plan's last year; the report gives no amount for it."),
    ]
    for start, planned, note in repayments:
        _, created = Repayment.objects.get_or_create(
            plan=plan, year=start, defaults={"planned": planned, "actual": None, "note": note}
        )
        counts["repayments"] += created
    risks = [
        {
            "title": "Cost of placements",
            "description": "Continuing financial pressure from the cost of placements: a "
            "nationally recognised issue, with significant concern about provider profiteering. "
            "The care review's recommendations are unlikely to have an impact this financial "
            "year.",
            "mitigation": "A resource demand panel reviews existing placements and their cost, "
            "and seeks to ensure that children enter care appropriately and to the correct "
            "type of placement for their needs.",
            "source": cite(PLACEMENT_COSTS, RESOURCE_PANEL),
        },
        {
            "title": "Health funding from the CCG for complex young people in residential care",
            "description": "Funding from West Birmingham and Black Country Clinical "
            "Commissioning Group for the health care needs of several complex young people in "
            "residential care: settled by negotiation for 2021/22; not yet agreed for 2022/23.",
            "mitigation": "Negotiation for 2022/23 has commenced, as in 2021/22 when a "
            "settlement was reached. A risk until funding agreements are confirmed.",
            "source": cite(CCG_FUNDING),
        },
    ]
    for order, risk in enumerate(risks, 1):
        _, created = FinancialRisk.objects.get_or_create(
            year=year,
            title=risk["title"],
            defaults={
                **risk,
                "owner": OWNER,
                "status": RiskStatus.OPEN,
                "order": order * 10,
                # The report scores neither risk and puts no value on either.
                "likelihood": None,
                "impact": None,
                "value_at_risk": None,
            },
        )
        counts["risks"] += created
    return counts
