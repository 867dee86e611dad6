import pytest

from kpis import symbols


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("c", "c"),
        (" C ", "c"),
        ("k", "k"),
        ("low", "low"),
        ("u", "u"),
        ("x", "x"),
        ("z", "z"),
        ("n/a", "n/a"),
        ("N/A", "n/a"),
        ("na", "n/a"),
        (":", "x"),
        ("-", "x"),
        ("<5", "<5"),
        ("< 10", "<10"),
        ("<05", "<5"),
    ],
)
def test_what_people_type_for_a_symbol_is_read_as_it(typed, code):
    assert symbols.parse(typed) == code
    assert symbols.is_symbol(code)


@pytest.mark.parametrize("typed", ["", "  ", "0", "45.5", "85%", "cc", "<", "<5.5", "no data"])
def test_numbers_blanks_and_words_are_not_symbols(typed):
    assert symbols.parse(typed) is None


def test_each_symbol_says_what_it_means_and_never_reads_as_zero():
    assert symbols.meaning("c") == "suppressed to protect confidentiality"
    assert symbols.meaning("<5") == "suppressed: fewer than 5"
    assert symbols.meaning("k").endswith("but is not zero")
    with pytest.raises(ValueError, match="not a symbol"):
        symbols.meaning("0")


def test_the_key_lists_only_the_symbols_shown():
    assert symbols.key({"c", "<5"}) == [
        ("c", "suppressed to protect confidentiality"),
        ("<5", "suppressed: fewer than 5"),
    ]
    assert [code for code, _ in symbols.key()] == ["c", "k", "low", "u", "x", "z", "n/a"]
