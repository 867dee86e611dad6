"""The portal's SPC against the reference implementations' own published test cases.

Each case names its source file and line. The inputs and expected outputs are the
references' (published test data); the code is the portal's own (kpis/spc.py).

- NHSRplotthedots (NHS-R Community), commit 050b07d, files under tests/testthat/ and
  vignettes/.
- PowerBI-SPC (Western Australia Department of Health), commit 478773a, files under
  test/Outlier Flagging/ and test/Chart Types/.

Where the portal deliberately differs, the case says so (DIFFERS) and why; the portal's
expected result is then its own, and the reference's is kept beside it for comparison.
The references' unit tests pass rule-by-rule flag vectors; here the same vectors are fed to
the portal's rule functions (spc.outside_limits, shifts, trends, two_of_three, signals),
or turned into figures where the portal's function takes figures: a "beyond the 2-sigma
line" flag and a side of the mean become a figure (3 above, 1 above but inside, −1, −3)
about a mean of 0 with 2-sigma lines at ±2.
Not ported, as the portal has no such option or the test checks the reference's own
plumbing:
- PowerBI-SPC checkFlagDirection.test.ts:53-117 and the filtered assertions of 120-153
  (process_flag_type "improvement" or "deterioration": the portal always shows both);
  variationIconsToDraw.test.ts:30-199, 231-243 and 301-349 (icons gathered from every
  point, flag_last_point false: the portal's icon is the latest figure's, as MDC's);
  assuranceIconToDraw.test.ts:48 (chart types without limits).
- NHSRplotthedots test-ptd_calculate_point_type.R:5-76 (grouping and mock calls), :100-126
  (ptd_part_of_seven_trend on marker vectors, which the run and trend cases cover), :157
  and :197 (a relative-to-mean vector shorter than the flags); test-ptd_rebase.R (checks of
  R date vectors: the portal's change points are records); test-ptd_spc.R (S3 dispatch,
  printing, mocks).
"""

from decimal import Decimal

import pytest

from kpis import spc
from kpis.polarity import Polarity
from kpis.spc import Assurance, ChangePoint, Fraction, Rule, Side, Variation

D = Decimal
NHSR = "NHSRplotthedots tests/testthat/"
PBI = "PowerBI-SPC test/"

FLAG = {"none": 0, "upper": 1, "lower": -1}
DIRECTION = {"increase": Polarity.HIGHER, "decrease": Polarity.LOWER, "neutral": Polarity.NEITHER}


def dec(values) -> list[Decimal]:
    return [D(str(v)) for v in values]


def flags(words) -> list[int]:
    return [FLAG[word] for word in words]


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: astronomical points (outside the process limits)

ASTRONOMICAL = [
    ("astronomical.test.ts:5", [5, 6, 7, 8, 9], [0] * 5, [10] * 5, ["none"] * 5),
    (
        "astronomical.test.ts:15",
        [5, 11, 7, 12, 9],
        [0] * 5,
        [10] * 5,
        ["none", "upper", "none", "upper", "none"],
    ),
    (
        "astronomical.test.ts:25",
        [5, -1, 7, -2, 9],
        [0] * 5,
        [10] * 5,
        ["none", "lower", "none", "lower", "none"],
    ),
    (
        "astronomical.test.ts:35",
        [5, 11, -1, 8, 12],
        [0] * 5,
        [10] * 5,
        ["none", "upper", "lower", "none", "upper"],
    ),
    ("astronomical.test.ts:45", [0, 5, 10], [0] * 3, [10] * 3, ["none"] * 3),
    (
        "astronomical.test.ts:55",
        [5, 15, 25, 35, 45],
        [0, 10, 20, 30, 40],
        [10, 20, 30, 40, 50],
        ["none"] * 5,
    ),
    (
        "astronomical.test.ts:65",
        [5, 25, 25, 35, 55],
        [0, 10, 20, 30, 40],
        [10, 20, 30, 40, 50],
        ["none", "upper", "none", "none", "upper"],
    ),
    ("astronomical.test.ts:75", [], [], [], []),
    ("astronomical.test.ts:85", [5], [0], [10], ["none"]),
    ("astronomical.test.ts:95", [15], [0], [10], ["upper"]),
    (
        "astronomical.test.ts:105",
        [-15, -10, -5, 0, 5],
        [-20] * 5,
        [0] * 5,
        ["none", "none", "none", "none", "upper"],
    ),
]


@pytest.mark.parametrize(
    ("values", "lower", "upper", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in ASTRONOMICAL],
)
def test_powerbi_astronomical(values, lower, upper, expected):
    assert spc.outside_limits(dec(values), dec(lower), dec(upper)) == flags(expected)


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: shifts (n in a row on one side of the centre line)

SHIFT = [
    ("shift.test.ts:5", [5, 6, 4, 5, 6, 4, 5], [5] * 7, 7, ["none"] * 7),
    (
        "shift.test.ts:15",
        [5, 6, 6, 6, 6, 6, 5],
        [5] * 7,
        5,
        ["none", *["upper"] * 5, "none"],
    ),
    (
        "shift.test.ts:25",
        [5, 4, 4, 4, 4, 4, 5],
        [5] * 7,
        5,
        ["none", *["lower"] * 5, "none"],
    ),
    ("shift.test.ts:35", [5, 6, 6, 6, 5], [5] * 5, 3, ["none", *["upper"] * 3, "none"]),
    ("shift.test.ts:45", [5, 6, 6, 6, 5], [5] * 5, 4, ["none"] * 5),
    (
        "shift.test.ts:55",
        [6, 6, 6, 5, 6, 6, 6, 6],
        [5] * 8,
        4,
        [*["none"] * 4, *["upper"] * 4],
    ),
    ("shift.test.ts:65", [6, 7, 8, 9, 10], [5, 6, 7, 8, 9], 3, ["upper"] * 5),
    ("shift.test.ts:76", [5] * 5, [5] * 5, 3, ["none"] * 5),
    ("shift.test.ts:87", [], [], 5, []),
    (
        "shift.test.ts:97",
        [5, 6, 5, 4, 5],
        [5] * 5,
        1,
        ["none", "upper", "none", "lower", "none"],
    ),
    (
        "shift.test.ts:107",
        [6, 6, 6, 6, 4, 4, 4, 4, 5],
        [5] * 9,
        3,
        [*["upper"] * 4, *["lower"] * 4, "none"],
    ),
    ("shift.test.ts:118", [6] * 7 + [5], [5] * 8, 7, [*["upper"] * 7, "none"]),
    ("shift.test.ts:128", [6, 4, 6, 4, 6, 4], [5] * 6, 3, ["none"] * 6),
    ("shift.test.ts:138", [-2] * 4, [-3] * 4, 3, ["upper"] * 4),
]


@pytest.mark.parametrize(
    ("values", "centre", "length", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in SHIFT],
)
def test_powerbi_shift(values, centre, length, expected):
    assert spc.shifts(dec(values), dec(centre), length=length) == flags(expected)


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: trends (n in a row each higher or each lower)

TREND = [
    ("trend.test.ts:5", [5, 6, 5, 6, 5, 6, 5], 5, ["none"] * 7),
    ("trend.test.ts:14", [1, 2, 3, 4, 5, 6, 5], 5, [*["upper"] * 6, "none"]),
    ("trend.test.ts:24", [6, 5, 4, 3, 2, 1, 2], 5, [*["lower"] * 6, "none"]),
    ("trend.test.ts:34", [1, 2, 3, 4, 2], 3, [*["upper"] * 4, "none"]),
    ("trend.test.ts:43", [1, 2, 3, 2, 3, 4, 5, 6], 4, [*["none"] * 3, *["upper"] * 5]),
    ("trend.test.ts:53", [5] * 5, 3, ["none"] * 5),
    ("trend.test.ts:62", [], 5, []),
    ("trend.test.ts:71", [5], 3, ["none"]),
    ("trend.test.ts:80", [1, 2, 1, 3, 2], 2, ["upper", "lower", "upper", "lower", "lower"]),
    ("trend.test.ts:90", [1, 2, 3, 4, 5, 6, 7, 6], 7, [*["upper"] * 7, "none"]),
    ("trend.test.ts:100", [-5, -4, -3, -2, -1], 4, ["upper"] * 5),
    ("trend.test.ts:109", [-1, -2, -3, -4, -5], 4, ["lower"] * 5),
    ("trend.test.ts:118", [1, 3, 2, 4, 3, 5], 4, ["none"] * 6),
    ("trend.test.ts:127", [1, 2, 3, 4, 5], 4, ["upper"] * 5),
    ("trend.test.ts:136", ["1.0", "1.1", "1.2", "1.3", "1.4"], 4, ["upper"] * 5),
]


@pytest.mark.parametrize(
    ("values", "length", "expected"), [pytest.param(*case[1:], id=case[0]) for case in TREND]
)
def test_powerbi_trend(values, length, expected):
    assert spc.trends(dec(values), length=length) == flags(expected)


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: two in three beyond the 2-sigma (95%) lines
#
# PowerBI-SPC does not look at the mean for this rule; MDC and NHSRplotthedots require all
# three figures on the same side of it (NHSRplotthedots bug fix #143, issue #194). Its
# cases pass no centre line; the centre is taken midway between the lines (5 for lines at
# 0 and 10), where most of its in-between figures sit. So the portal differs wherever a
# window's third figure is on the mean; the same case with those figures moved just off
# the mean, to the flagged side (6 for "upper", 4 for "lower"), then agrees with
# PowerBI-SPC, which shows the portal flags the same figures otherwise.

ON_THE_MEAN = "DIFFERS: a figure of the window is on the mean (MDC: all three on one side)"
TWO = [
    ("twoInThree.test.ts:5", [5, 6, 7, 8, 9], 0, 10, ["none"] * 5, "", None),
    (
        "twoInThree.test.ts:16",
        [5, 11, 11, 5, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "none", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6, 6, 6],
    ),
    (
        "twoInThree.test.ts:27",
        [5, -1, -1, 5, 5, 5],
        0,
        10,
        ["none", "lower", "lower", "none", "none", "none"],
        ON_THE_MEAN,
        [4, -1, -1, 4, 4, 4],
    ),
    (
        "twoInThree.test.ts:38",
        [5, 11, 11, 5, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "none", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6, 6, 6],
    ),
    (
        "twoInThree.test.ts:49",
        [11, 5, 11, 5, 5],
        0,
        10,
        ["upper", "none", "upper", "none", "none"],
        ON_THE_MEAN,
        [11, 6, 11, 6, 6],
    ),
    (
        "twoInThree.test.ts:61",
        [5, 11, 11, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6, 6],
    ),
    (
        "twoInThree.test.ts:72",
        [11, 5, 11, 5, 5],
        0,
        10,
        ["upper", "upper", "upper", "none", "none"],
        "DIFFERS: highlight_series=true flags the figure between as well; the portal flags "
        "only figures beyond the line (PowerBI-SPC's default since its PR #244), and that "
        "figure is on the mean",
        None,
    ),
    ("twoInThree.test.ts:84", [11, 5, 5, 5, 5], 0, 10, ["none"] * 5, "", None),
    (
        "twoInThree.test.ts:95",
        [5, 11, 11, 11, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "upper", "none", "none"],
        "",
        None,
    ),
    (
        "twoInThree.test.ts:106",
        [5, 11, 11, -1, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "none", "none"],
        ON_THE_MEAN,
        [6, 11, 11, -1, 5, 5],
    ),
    (
        "twoInThree.test.ts:118",
        [5, 11, 11, 5, 11, 11, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "upper", "upper", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6, 11, 11, 6],
    ),
    ("twoInThree.test.ts:129", [], 0, 10, [], "", None),
    ("twoInThree.test.ts:140", [11], 0, 10, ["none"], "", None),
    (
        "twoInThree.test.ts:152",
        [5, 11, 11, 5],
        0,
        10,
        ["none", "upper", "upper", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6],
    ),
    (
        "twoInThree.test.ts:164",
        [5, 25, 25, 35, 45],
        [0, 10, 20, 30, 40],
        [10, 20, 30, 40, 50],
        ["none"] * 5,
        "",
        None,
    ),
    ("twoInThree.test.ts:176", [10, 10, 5, 5, 5], 0, 10, ["none"] * 5, "", None),
    (
        "twoInThree.test.ts:188",
        [5, -1, -1, 5, 5],
        0,
        10,
        ["none", "lower", "lower", "none", "none"],
        ON_THE_MEAN,
        [4, -1, -1, 4, 4],
    ),
    (
        "twoInThree.test.ts:199",
        [5, 11, 11, 5, 11, 5, 5],
        0,
        10,
        ["none", "upper", "upper", "none", "upper", "none", "none"],
        ON_THE_MEAN,
        [6, 11, 11, 6, 11, 6, 6],
    ),
]


def _lines(lower, upper, count):
    lower = lower if isinstance(lower, list) else [lower] * count
    upper = upper if isinstance(upper, list) else [upper] * count
    centre = [(a + b) / 2 for a, b in zip(lower, upper, strict=True)]
    return dec(centre), dec(lower), dec(upper)


@pytest.mark.parametrize(
    ("values", "lower", "upper", "reference", "difference", "off_the_mean"),
    [pytest.param(*case[1:], id=case[0]) for case in TWO],
)
def test_powerbi_two_in_three(values, lower, upper, reference, difference, off_the_mean):
    centre, low, high = _lines(lower, upper, len(values))
    found = spc.two_of_three(dec(values), centre, low, high)
    if not difference:
        assert found == flags(reference)
        return
    assert found == [0] * len(values), difference
    if off_the_mean is not None:
        moved = spc.two_of_three(dec(off_the_mean), centre, low, high)
        assert moved == flags(reference)


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: the direction of a flag, and the icons


@pytest.mark.parametrize(
    ("side", "direction", "expected"),
    [
        pytest.param(None, "increase", Variation.COMMON_CAUSE, id="checkFlagDirection.test.ts:5"),
        pytest.param(
            "upper", "increase", Variation.IMPROVEMENT_HIGH, id="checkFlagDirection.test.ts:12"
        ),
        pytest.param(
            "lower", "increase", Variation.CONCERN_LOW, id="checkFlagDirection.test.ts:18"
        ),
        pytest.param(
            "lower", "decrease", Variation.IMPROVEMENT_LOW, id="checkFlagDirection.test.ts:26"
        ),
        pytest.param(
            "upper", "decrease", Variation.CONCERN_HIGH, id="checkFlagDirection.test.ts:32"
        ),
        pytest.param("lower", "neutral", Variation.NEUTRAL_LOW, id="checkFlagDirection.test.ts:40"),
        pytest.param(
            "upper", "neutral", Variation.NEUTRAL_HIGH, id="checkFlagDirection.test.ts:46"
        ),
    ],
)
def test_powerbi_flag_direction(side, direction, expected, any_limits):
    found = spc.signals(outside=FLAG[side]) if side else ()
    point = spc.Point(D(1), signals=found, limits=any_limits)
    assert spc.variation_of(point, DIRECTION[direction]) == expected


@pytest.fixture
def any_limits() -> spc.Limits:
    return spc.Limits(D(5), D(0), D(10), D(2), D(8))


RULE_OF = {"astpoint": "outside", "shift": "shift", "trend": "trend", "two_in_three": "two"}
# "improvement" and "deterioration" as the direction they mean when higher is better.
FLAGGED = {"improvement": 1, "deterioration": -1, "none": 0}


@pytest.mark.parametrize(
    ("last_point", "reference", "expected", "difference"),
    [
        pytest.param(
            {"astpoint": "none", "shift": "none", "trend": "none", "two_in_three": "none"},
            ["commonCause"],
            Variation.COMMON_CAUSE,
            "",
            id="variationIconsToDraw.test.ts:202",
        ),
        pytest.param(
            {"astpoint": "improvement"},
            ["improvementHigh"],
            Variation.IMPROVEMENT_HIGH,
            "",
            id="variationIconsToDraw.test.ts:217",
        ),
        pytest.param(
            {"astpoint": "improvement", "shift": "deterioration", "trend": "improvement"},
            ["improvementHigh", "concernLow"],
            Variation.IMPROVEMENT_HIGH,
            "DIFFERS: PowerBI-SPC shows both icons; the portal gives one verdict, that of the "
            "first rule in its precedence (outside the limits), as NHSRplotthedots does",
            id="variationIconsToDraw.test.ts:245",
        ),
        pytest.param(
            {"astpoint": "improvement"},
            ["improvementHigh"],
            Variation.IMPROVEMENT_HIGH,
            "",
            id="variationIconsToDraw.test.ts:263",
        ),
        pytest.param(
            {
                "astpoint": "improvement",
                "shift": "improvement",
                "trend": "improvement",
                "two_in_three": "improvement",
            },
            ["improvementHigh"],
            Variation.IMPROVEMENT_HIGH,
            "",
            id="variationIconsToDraw.test.ts:286",
        ),
    ],
)
def test_powerbi_variation_icon_of_the_latest_point(
    last_point, reference, expected, difference, any_limits
):
    """The icon from the latest point's flags (flag_last_point, as MDC's icons), higher is
    better. The cases that read every point (flag_last_point false, several points) are
    not ported: the portal's icon is always the latest figure's."""
    verdicts = {RULE_OF[rule]: FLAGGED[flag] for rule, flag in last_point.items()}
    point = spc.Point(D(1), signals=spc.signals(**verdicts), limits=any_limits)
    found = spc.variation_of(point, Polarity.HIGHER)
    assert found == expected, difference
    if not difference:
        icon = {"common-cause": "commonCause", "improvement-high": "improvementHigh"}
        assert [icon[found.value]] == reference


def test_powerbi_variation_icon_with_no_points():
    """variationIconsToDraw.test.ts:277: no points give the common-cause icon. DIFFERS: with
    no figure the portal says there are too few figures for SPC, not common cause."""
    assert spc.variation_of(None, Polarity.HIGHER) == Variation.NOT_ENOUGH_DATA


ASSURANCE = {
    "consistentPass": Assurance.PASSES,
    "consistentFail": Assurance.FAILS,
    "inconsistent": Assurance.HIT_AND_MISS,
}


@pytest.mark.parametrize(
    ("upper", "lower", "targets", "direction", "expected"),
    [
        pytest.param([10], [0], None, "increase", Assurance.NO_TARGET, id="assurance:58"),
        pytest.param([10], [0], [5], "neutral", Assurance.NOT_JUDGED, id="assurance:68"),
        pytest.param([10], [0], [15], "increase", "consistentFail", id="assurance:79"),
        pytest.param([10], [0], [-5], "increase", "consistentPass", id="assurance:89"),
        pytest.param([10], [0], [5], "increase", "inconsistent", id="assurance:99"),
        pytest.param([10], [0], [15], "decrease", "consistentPass", id="assurance:111"),
        pytest.param([10], [0], [-5], "decrease", "consistentFail", id="assurance:121"),
        pytest.param([10], [0], [5], "decrease", "inconsistent", id="assurance:131"),
        pytest.param([10], [0], [10], "increase", "inconsistent", id="assurance:143"),
        pytest.param([10], [0], [0], "increase", "inconsistent", id="assurance:153"),
        pytest.param(
            [8, 9, 10], [2, 1, 0], [3, 4, 15], "increase", "consistentFail", id="assurance:165"
        ),
        pytest.param(
            [8, 9, 10], [2, 1, 0], [15, 15, 5], "increase", "inconsistent", id="assurance:176"
        ),
        pytest.param([0], [-10], [-15], "increase", "consistentPass", id="assurance:189"),
        pytest.param([0], [-10], [-5], "decrease", "inconsistent", id="assurance:200"),
    ],
)
def test_powerbi_assurance_icon(upper, lower, targets, direction, expected):
    """assuranceIconToDraw.test.ts (id "assurance:N" is its line): against the latest
    point's limits and target. Its line 48 (a chart type without limits) has no portal
    counterpart: every portal chart has limits."""
    latest = spc.Limits(D(0), D(lower[-1]), D(upper[-1]), D(0), D(0))
    target = D(targets[-1]) if targets else None
    expected = ASSURANCE.get(expected, expected)
    assert spc.assurance_of(latest, target, DIRECTION[direction]) == expected


# ---------------------------------------------------------------------------------------
# PowerBI-SPC: the p-chart and the i-chart (test/Chart Types/)

# test/Chart Types/p.test.ts:9-15: numerators, denominators and the expected limits (%).
P_NUMERATORS = [14, 12, 15, 8, 16, 11, 12, 14, 16, 17, 5, 11, 13, 10, 14, 5, 12, 10, 11, 5, 10, 8]
P_NUMERATORS += [11, 12, 11, 18, 18, 21, 14, 15, 18, 22, 17, 16, 20, 15]
P_DENOMINATORS = [52, 64, 70, 60, 67, 69, 67, 54, 79, 59, 49, 61, 41, 51, 56, 43, 57, 48, 69]
P_DENOMINATORS += [41, 40, 46, 59, 62, 57, 65, 75, 70, 76, 69, 64, 67, 84, 67, 69, 78]
P_UL99 = "38.76,37.07,36.4,37.58,36.72,36.5,36.72,38.44,35.53,37.71,39.28,37.45,40.92,38.93,38.14,40.47,37.99,39.46,36.5,40.92,41.16,39.84,37.71,37.32,37.99,36.95,35.9,36.4,35.8,36.5,37.07,36.72,35.11,36.72,36.5,35.62"  # noqa: E501
P_UL95 = "33.05,31.93,31.48,32.26,31.69,31.55,31.69,32.84,30.9,32.35,33.4,32.18,34.49,33.16,32.64,34.19,32.54,33.52,31.55,34.49,34.65,33.77,32.35,32.09,32.54,31.85,31.14,31.48,31.08,31.55,31.93,31.69,30.62,31.69,31.55,30.96"  # noqa: E501
P_LL95 = "10.21,11.34,11.79,11,11.57,11.72,11.57,10.43,12.37,10.91,9.87,11.09,8.77,10.1,10.63,9.07,10.73,9.75,11.72,8.77,8.61,9.49,10.91,11.17,10.73,11.42,12.12,11.79,12.19,11.72,11.34,11.57,12.65,11.57,11.72,12.31"  # noqa: E501
P_LL99 = "4.5,6.19,6.87,5.69,6.54,6.76,6.54,4.82,7.74,5.55,3.99,5.82,2.34,4.34,5.13,2.8,5.27,3.8,6.76,2.34,2.1,3.42,5.55,5.95,5.27,6.31,7.37,6.87,7.46,6.76,6.19,6.54,8.16,6.54,6.76,7.65"  # noqa: E501
P_EXPECTED = list(
    zip(*(dec(line.split(",")) for line in (P_UL99, P_UL95, P_LL95, P_LL99)), strict=True)
)


@pytest.fixture(scope="module")
def p_chart() -> spc.Analysis:
    fractions = [Fraction(n, d) for n, d in zip(P_NUMERATORS, P_DENOMINATORS, strict=True)]
    # PowerBI-SPC computes p̄ from every point: a baseline of all 36.
    return spc.analyse(
        [f.percentage for f in fractions],
        polarity=Polarity.LOWER,
        chart=spc.Chart.P,
        fractions=fractions,
        baseline=len(fractions),
    )


@pytest.mark.parametrize(
    "month", [pytest.param(i, id=f"p.test.ts:12-15 point {i + 1}") for i in range(36)]
)
def test_powerbi_p_chart_limits_vary_with_each_months_base(p_chart, month):
    """test/Chart Types/p.test.ts:38-44, to 2 decimal places (toBeCloseTo(x, 2))."""
    limits = p_chart.points[month].limits
    assert limits is not None
    assert limits.base == P_DENOMINATORS[month]
    found = (limits.upper, limits.upper_two_sigma, limits.lower_two_sigma, limits.lower)
    for value, expected in zip(found, P_EXPECTED[month], strict=True):
        assert abs(value - expected) < D("0.005")


def test_powerbi_i_chart_limits():
    """test/Chart Types/i.test.ts:9-15 and 38-44: an individuals chart of 17 ratios, to 4
    decimal places. PowerBI-SPC's 3 sigma is 3 ÷ 1.128 = 2.6596 mean moving ranges, MDC's
    2.66; at this precision they agree."""
    numerators = [5, 7, 5, 7, 7, 5, 4, 9, 8, 13, 8, 7, 8, 7, 12, 11, 8]
    denominators = [113, 132, 121, 134, 116, 131, 93, 138, 182, 157, 100, 103, 146, 108, 153]
    denominators += [141, 134]
    ratios = [D(n) / d for n, d in zip(numerators, denominators, strict=True)]
    limits = spc.limits(ratios, baseline=len(ratios))
    assert limits is not None
    found = (limits.upper, limits.upper_two_sigma, limits.lower_two_sigma, limits.lower)
    for value, expected in zip(found, dec(["0.0957", "0.0836", "0.035", "0.0229"]), strict=True):
        assert abs(value - expected) < D("0.00005")


# ---------------------------------------------------------------------------------------
# NHSRplotthedots: the rules (tests/testthat/test-ptd_calculate_point_type.R)
#
# Its functions return the figure that completes a run (ptd_seven_point_one_side_mean,
# ptd_seven_point_trend), then mark the run's figures (ptd_part_of_seven_trend); the
# portal's return the run's figures with their direction. The expected values below are
# the reference's, marked through to the whole run, signed by the run's direction.


@pytest.mark.parametrize(
    ("relative_to_mean", "reference", "expected"),
    [
        pytest.param([], [], [], id="test-ptd_calculate_point_type.R:80"),
        pytest.param([1] * 6, [0] * 6, [0] * 6, id="test-ptd_calculate_point_type.R:81"),
        pytest.param([1] * 6 + [-1], [0] * 7, [0] * 7, id="test-ptd_calculate_point_type.R:85"),
        pytest.param(
            [1] * 8 + [-1],
            [0] * 6 + [1, 1, 0],
            [1] * 8 + [0],
            id="test-ptd_calculate_point_type.R:89",
        ),
        pytest.param(
            [-1] * 8 + [1],
            [0] * 6 + [1, 1, 0],
            [-1] * 8 + [0],
            id="test-ptd_calculate_point_type.R:93",
        ),
    ],
)
def test_nhsr_seven_points_one_side_of_the_mean(relative_to_mean, reference, expected):
    # A run ends where the reference marks 1 and covers the 7 figures before and up to it.
    assert [abs(e) for e in expected[: len(reference)]] == [
        int(any(reference[i : i + 7])) for i in range(len(reference))
    ]
    found = spc.shifts(dec(relative_to_mean), [D(0)] * len(relative_to_mean))
    assert found == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([], [], id="test-ptd_calculate_point_type.R:130"),
        pytest.param([1, 2, 3, 4, 5, 6], [0] * 6, id="test-ptd_calculate_point_type.R:131"),
        pytest.param([1, 2, 3, 3, 4, 5, 6], [0] * 7, id="test-ptd_calculate_point_type.R:136"),
        pytest.param([1, 2, 3, 4, 5, 6, 7], [1] * 7, id="test-ptd_calculate_point_type.R:139"),
        pytest.param(
            [2, 1, 2, 3, 4, 5, 6, 7, 3], [0, *[1] * 7, 0], id="test-ptd_calculate_point_type.R:142"
        ),
        pytest.param([7, 6, 5, 4, 3, 2, 1], [-1] * 7, id="test-ptd_calculate_point_type.R:145"),
        pytest.param(
            [2, 7, 6, 5, 4, 3, 2, 1, 3],
            [0, *[-1] * 7, 0],
            id="test-ptd_calculate_point_type.R:148",
        ),
    ],
)
def test_nhsr_seven_point_trend(values, expected):
    """Its expected values are the trend's last figure (c(0, 0, 0, 0, 0, 0, 1) for 1:7);
    marked through to the trend's seven figures here."""
    assert spc.trends(dec(values)) == expected


def _figures(close_to_limits, relative_to_mean):
    """A figure for each pair of flags about a mean of 0 with 2-sigma lines at ±2: beyond the
    line (3 or −3) or inside it (1 or −1), on the side of the mean given."""
    return [
        D((3 if close else 1) * side)
        for close, side in zip(close_to_limits, relative_to_mean, strict=True)
    ]


def two_of_three_about_zero(close_to_limits, relative_to_mean):
    values = _figures(close_to_limits, relative_to_mean)
    n = len(values)
    return spc.two_of_three(values, [D(0)] * n, [D(-2)] * n, [D(2)] * n)


@pytest.mark.parametrize(
    ("close_to_limits", "relative_to_mean", "expected"),
    [
        pytest.param([], [], [], id="test-ptd_calculate_point_type.R:191"),
        pytest.param([1, 0, 1], [1, 1, 1], [1, 0, 1], id="test-ptd_calculate_point_type.R:160+203"),
        pytest.param([0, 1, 1], [1, 1, 1], [0, 1, 1], id="test-ptd_calculate_point_type.R:161+209"),
        pytest.param([1, 1, 0], [1, 1, 1], [1, 1, 0], id="test-ptd_calculate_point_type.R:162+215"),
        pytest.param(
            [0, 0, 1, 0, 1, 0, 0],
            [1] * 7,
            [0, 0, 1, 0, 1, 0, 0],
            id="test-ptd_calculate_point_type.R:167+221",
        ),
        pytest.param(
            [0, 0, 1, 1, 0, 0, 0],
            [1] * 7,
            [0, 0, 1, 1, 0, 0, 0],
            id="test-ptd_calculate_point_type.R:170+227",
        ),
        pytest.param([1, 0, 0, 1], [1] * 4, [0] * 4, id="test-ptd_calculate_point_type.R:233"),
        pytest.param(
            [1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1], id="test-ptd_calculate_point_type.R:239"
        ),
        # Points on opposite sides of the mean (bug fix #143).
        pytest.param([1, 0, 1], [1, -1, 1], [0] * 3, id="test-ptd_calculate_point_type.R:175"),
        pytest.param([0, 1, 1], [1, -1, 1], [0] * 3, id="test-ptd_calculate_point_type.R:176"),
        pytest.param([1, 1, 0], [1, -1, 1], [0] * 3, id="test-ptd_calculate_point_type.R:177"),
        pytest.param(
            [0, 0, 1, 0, 1, 0, 0],
            [1, -1, 1, -1, 1, -1, 1],
            [0] * 7,
            id="test-ptd_calculate_point_type.R:182",
        ),
        pytest.param(
            [0, 0, 1, 1, 0, 0, 0],
            [-1, 1, -1, 1, -1, 1, -1],
            [0] * 7,
            id="test-ptd_calculate_point_type.R:185",
        ),
    ],
)
def test_nhsr_two_in_three(close_to_limits, relative_to_mean, expected):
    """ptd_two_in_three marks every figure of a qualifying window and
    ptd_part_of_two_in_three keeps those close to the limits (R/ptd_calculate_point_type.R:
    67-84); the expected values are the latter's, signed by the side of the mean."""
    found = two_of_three_about_zero(close_to_limits, relative_to_mean)
    signed = [e * s for e, s in zip(expected, relative_to_mean, strict=True)]
    assert found == signed


def test_nhsr_two_in_three_counts_figures_beyond_the_limits():
    """DIFFERS from NHSRplotthedots 0.2.2, whose close_to_limits leaves out figures beyond the
    process limits (R/ptd_spc_standard.R; its issue #153: "s>3, s>3, 2<s<3" does not
    trigger). MDC counts every figure beyond the 2-sigma line from November 2023
    (NHSRplotthedots issue #194), and so does the portal: a figure beyond the limit (5) and
    one between the line and the limit (3), all above the mean, are 2 of 3."""
    values = dec([1, 5, 3])
    assert spc.two_of_three(values, [D(0)] * 3, [D(-2)] * 3, [D(2)] * 3) == [0, 1, 1]


@pytest.mark.parametrize(
    ("point", "verdicts", "reference"),
    [
        pytest.param(1, {"trend": 1}, "7 Point Trend (Increasing)", id="R:247 point 1"),
        pytest.param(2, {"trend": 1}, "7 Point Trend (Increasing)", id="R:247 point 2"),
        pytest.param(3, {"shift": 1}, "7 Points Above CL", id="R:247 point 3"),
        pytest.param(4, {"shift": 1}, "7 Points Above CL", id="R:247 point 4"),
        pytest.param(5, {"two": -1}, "2 in 3 Below CL", id="R:247 point 5"),
        pytest.param(6, {"outside": -1}, "Below LCL", id="R:247 point 6"),
        pytest.param(7, {"outside": -1}, "Below LCL", id="R:247 point 7"),
        pytest.param(8, {}, "Common Cause", id="R:247 point 8"),
    ],
)
def test_nhsr_special_cause_type(point, verdicts, reference):
    """test-ptd_calculate_point_type.R:247-286, with the rules' results mocked: y = 1:8, so
    a trend increases; the side of the mean is c(1, 1, 1, 1, -1, -1, -1, -1), which gives
    each other rule its direction (the mocks' own signs, 1 and -1 at points 2 and 4, are
    not directions). The label names the rule that decides, by the precedence the portal
    shares."""
    found = spc.signals(**verdicts)
    label = {
        (Rule.TREND, Side.HIGH): "7 Point Trend (Increasing)",
        (Rule.SHIFT, Side.HIGH): "7 Points Above CL",
        (Rule.TWO_OF_THREE, Side.LOW): "2 in 3 Below CL",
        (Rule.OUTSIDE_LIMITS, Side.LOW): "Below LCL",
    }
    assert (label[found[0].rule, found[0].side] if found else "Common Cause") == reference


def test_nhsr_precedence_is_outside_limits_then_trend_then_two_of_three_then_shift():
    """The case_when of ptd_special_cause_type (R/ptd_calculate_point_type.R:102-107)."""
    every = spc.signals(outside=-1, trend=1, two=-1, shift=1)
    assert [s.rule for s in every] == list(spc.PRECEDENCE)
    assert next(s.rule for s in spc.signals(trend=1, two=-1, shift=1)) == Rule.TREND
    assert next(s.rule for s in spc.signals(two=-1, shift=1)) == Rule.TWO_OF_THREE
    assert every[1].side == Side.HIGH  # each keeps its own direction


# ---------------------------------------------------------------------------------------
# NHSRplotthedots: assurance (tests/testthat/test-ptd_calculate_assurance_type.R)

# Rows a, b and c of its lines 17-23: lpl, mean, upl.
ROWS = {"a": (1, 2, 3), "b": (5, 6, 7), "c": (1, 4, 5)}


def _row(name: str) -> spc.Limits:
    lower, mean, upper = ROWS[name]
    return spc.Limits(D(mean), D(lower), D(upper), D(mean), D(mean))


@pytest.mark.parametrize(
    ("row", "target", "direction", "expected"),
    [
        pytest.param("a", None, "increase", Assurance.NO_TARGET, id="assurance_type.R:4"),
        pytest.param("a", 4, "increase", Assurance.FAILS, id="assurance_type.R:16 a"),
        pytest.param("b", 4, "increase", Assurance.PASSES, id="assurance_type.R:16 b"),
        pytest.param("c", 4, "increase", Assurance.HIT_AND_MISS, id="assurance_type.R:16 c"),
        pytest.param("a", 4, "decrease", Assurance.PASSES, id="assurance_type.R:34 a"),
        pytest.param("b", 4, "decrease", Assurance.FAILS, id="assurance_type.R:34 b"),
        pytest.param("c", 4, "decrease", Assurance.HIT_AND_MISS, id="assurance_type.R:34 c"),
        pytest.param("a", 4, "neutral", Assurance.NOT_JUDGED, id="assurance_type.R:52 a"),
        pytest.param("b", 4, "neutral", Assurance.NOT_JUDGED, id="assurance_type.R:52 b"),
        pytest.param("c", 4, "neutral", Assurance.NOT_JUDGED, id="assurance_type.R:52 c"),
    ],
)
def test_nhsr_assurance(row, target, direction, expected):
    """NA (no target; a neutral direction) is the portal's "no target" and "not judged"."""
    found = spc.assurance_of(_row(row), None if target is None else D(target), DIRECTION[direction])
    assert found == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param("abc", Assurance.HIT_AND_MISS, id="assurance_type.R:84"),
        pytest.param("bca", Assurance.PASSES, id="assurance_type.R:87"),
        pytest.param("cab", Assurance.FAILS, id="assurance_type.R:90"),
    ],
)
def test_nhsr_assurance_after_a_rebase_is_the_latest_segments(order, expected):
    """test-ptd_calculate_assurance_type.R:70-91: after rebasing, the last row's limits
    decide (lower is better, target 4). The portal's assurance uses the latest figure's
    limits: those of its segment."""
    latest = order[-1]
    assert spc.assurance_of(_row(latest), D(4), Polarity.LOWER) == expected


# ---------------------------------------------------------------------------------------
# NHSRplotthedots: limits (test-ptd_spc_standard.R and its snapshots; the vignettes)

# R's rnorm(20) after set.seed(123), as test-ptd_spc_standard.R:4-10 draws it; the snapshot
# (_snaps/ptd_spc_standard.md:13) shows its first values, and its mean and limits below
# match this series to every digit printed.
RNORM = dec(
    [
        "-0.56047565",
        "-0.23017749",
        "1.55870831",
        "0.07050839",
        "0.12928774",
        "1.71506499",
        "0.46091621",
        "-1.26506123",
        "-0.68685285",
        "-0.44566197",
        "1.22408180",
        "0.35981383",
        "0.40077145",
        "0.11068272",
        "-0.55584113",
        "1.78691314",
        "0.49785048",
        "-1.96661716",
        "0.70135590",
        "-0.47279141",
    ]
)


def close(value: Decimal, printed: str) -> bool:
    """Equal to the digits printed (R rounds for print)."""
    places = len(printed.partition(".")[2])
    return abs(value - D(printed)) <= D(5) / D(10) ** (places + 1)


def test_nhsr_limits_of_twenty_figures():
    """_snaps/ptd_spc_standard.md:14-16 (r1). NHSRplotthedots uses every figure when
    fix_after_n_points is not set: a baseline of 20 here."""
    limits = spc.limits(RNORM, baseline=20)
    assert limits is not None
    assert close(limits.mean, "0.1416238")
    assert close(limits.lower, "-3.01138")
    assert close(limits.upper, "3.294627")


def test_nhsr_limits_with_an_outlier_are_not_screened():
    """_snaps/ptd_spc_standard.md:34-36 (r2, screen_outliers = TRUE) and 54-56 (r3,
    screen_outliers = FALSE), with y[15] = 10 (test-ptd_spc_standard.R:26). The portal does
    not screen moving ranges, as MDC's Excel tools: it gives r3. DIFFERS from r2,
    NHSRplotthedots' default (-2.383666 to 3.722497)."""
    values = list(RNORM)
    values[14] = D(10)
    limits = spc.limits(values, baseline=20)
    assert limits is not None
    assert close(limits.mean, "0.6694159")
    assert close(limits.lower, "-4.596625")
    assert close(limits.upper, "5.935457")
    assert not close(limits.upper, "3.722497")


def test_nhsr_excel_limits_are_not_screened():
    """vignettes/deviations.Rmd:57-82: the Making Data Count Excel output for this series is
    UPL 6.95, mean 1.94, LPL -3.06 (the caption at line 77); NHSRplotthedots' default
    screening gives 4.6, 1.94, -0.72 (line 57). The portal gives Excel's."""
    data = dec([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
    limits = spc.limits(data, baseline=len(data))
    assert limits is not None
    assert (round(limits.upper, 2), round(limits.mean, 2), round(limits.lower, 2)) == (
        D("6.95"),
        D("1.94"),
        D("-3.06"),
    )


def test_nhsr_limits_of_each_group_come_from_its_own_figures():
    """_snaps/ptd_spc.md:58-59: the first and last ten figures as groups (facets, in
    test-ptd_spc.R:347), each with its own mean and limits. In the portal a group is a
    segment; ten figures are too few for SPC to show them (next test), but the limits of
    each are its own."""
    first, last = spc.limits(RNORM[:10]), spc.limits(RNORM[10:])
    assert first is not None
    assert last is not None
    assert close(first.mean, "0.0746")
    assert close(first.lower, "-2.60")
    assert close(first.upper, "2.75")
    assert close(last.mean, "0.209")
    assert close(last.lower, "-3.28")
    assert close(last.upper, "3.70")
    assert first.trial
    assert last.trial


def test_nhsr_rebase_groups():
    """test-ptd_spc_standard.R:73-84: a rebase at the 11th of 20 figures gives groups
    c(rep(0, 10), rep(1, 10))."""
    analysis = spc.analyse(
        RNORM, polarity=Polarity.HIGHER, change_points=[ChangePoint(10, "rebase")]
    )
    assert [point.segment for point in analysis.points] == [0] * 10 + [1] * 10


def test_nhsr_rebase_column():
    """test-ptd_add_rebase_column.R:11-19: days 2 to 11 of January 2020 rebased on the 3rd
    and the 8th: rebase c(0, 1, 0, 0, 0, 0, 1, 0, 0, 0), so groups 0, 1 × 5, 2 × 4 (cumsum).
    The portal takes the change points as positions in the series (the caller matches
    months)."""
    rebase = [0, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    starts = [ChangePoint(i, "rebase") for i, flag in enumerate(rebase) if flag]
    analysis = spc.analyse(RNORM[:10], polarity=Polarity.HIGHER, change_points=starts)
    groups = [sum(rebase[: i + 1]) for i in range(10)]
    assert [point.segment for point in analysis.points] == groups


@pytest.mark.parametrize(
    ("groups", "short", "difference"),
    [
        pytest.param([11], [True], "", id="short_group_warnings.R:61"),
        pytest.param(
            [12],
            [True],
            "DIFFERS: the test passes warning_threshold = 12; the portal uses the package's "
            "default of 13 (R/ptd_add_short_group_warnings.R:22), so 12 figures are too few",
            id="short_group_warnings.R:74",
        ),
        pytest.param([20, 20], [False, False], "", id="short_group_warnings.R:83"),
        pytest.param([35, 5], [False, True], "", id="short_group_warnings.R:92 facet a"),
        pytest.param([20, 20], [False, False], "", id="short_group_warnings.R:92 facet b"),
    ],
)
def test_nhsr_short_groups_are_too_few_for_spc(groups, short, difference):
    """test-ptd_add_short_group_warnings.R: a group shorter than the threshold is warned of
    (trial limits). The portal shows no limits or verdict for such a segment: "too few
    figures for SPC". (Its facets are separate series: separate KPIs here.)"""
    values = ([D(12), D(10)] * 20)[: sum(groups)]
    starts = [sum(groups[:i]) for i in range(1, len(groups))]
    analysis = spc.analyse(
        values,
        polarity=Polarity.HIGHER,
        change_points=[ChangePoint(start, f"rebase {start}") for start in starts],
    )
    assert [segment.too_few for segment in analysis.segments] == short, difference
    assert [segment.limits is None for segment in analysis.segments] == short


def test_nhsr_two_in_three_on_opposite_sides_is_common_cause():
    """test-ptd_spc_standard.R:97-114: 1, -1, … with the last two 5.5 and -5.5, both near a
    limit but on opposite sides of the mean: common cause (bug fix #143). Every figure is
    the baseline, as NHSRplotthedots does by default."""
    data = [D(1), D(-1)] * 8
    data[14], data[15] = D("5.5"), D("-5.5")
    analysis = spc.analyse(data, polarity=Polarity.HIGHER, baseline=len(data))
    assert [spc.variation_of(p, Polarity.HIGHER) for p in analysis.points[-2:]] == [
        Variation.COMMON_CAUSE,
        Variation.COMMON_CAUSE,
    ]
