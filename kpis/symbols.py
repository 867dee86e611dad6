"""Values that are not numbers: a figure can be a symbol with a fixed meaning. Pure code.

The symbols are those of the Government Statistical Service, as the Department for
Education's Explore Education Statistics files use them, plus the "n/a" councils write and
"<5" for a small number suppressed as fewer than 5. A symbol is never zero and never blank:
it is kept as a symbol, shown with its meaning, and left out of sums, averages, SPC and
direction of travel, with a word why.

Sources: GSS "Symbols in tables, definitions and help" (https://analysisfunction.civilservice.gov.uk/
policy-store/symbols-in-tables-definitions-and-help/) and the EES "Publishing ad hoc data" guide.
"""

import re
from dataclasses import dataclass

# code → meaning, in the order the key lists them
MEANINGS: dict[str, str] = {
    "c": "suppressed to protect confidentiality",
    "k": "rounds to zero, but is not zero",
    "low": "rounds to zero, but is not zero",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
    "n/a": "not applicable",
}
# What people also type for those symbols (compared case-insensitively).
ALIASES: dict[str, str] = {
    ":": "x",
    "-": "x",
    "–": "x",  # an en dash, as Word turns a hyphen
    "..": "x",
    "na": "n/a",
    "n.a.": "n/a",
    "not applicable": "n/a",
    "not available": "x",
    "suppressed": "c",
}
# "<5": a small number suppressed as "fewer than 5" (the threshold is kept).
FEWER_THAN = re.compile(r"^<\s*(\d{1,4})$")
LONGEST = 10  # characters a stored symbol may have


@dataclass(frozen=True)
class Symbol:
    code: str

    @property
    def meaning(self) -> str:
        return meaning(self.code)

    def __str__(self) -> str:
        return self.code


def parse(text: str) -> str | None:
    """The symbol's code for what was typed ("c", " N/A ", "<5", ":"), or None when the text
    is not a symbol (a number, or words)."""
    typed = " ".join(str(text).split())
    if not typed:
        return None
    lowered = typed.lower()
    if lowered in MEANINGS:
        return lowered
    if lowered in ALIASES:
        return ALIASES[lowered]
    if match := FEWER_THAN.match(typed):
        return f"<{int(match.group(1))}"
    return None


def is_symbol(code: str) -> bool:
    """Whether `code` is a stored symbol's code (as `parse` returns it)."""
    return code in MEANINGS or bool(FEWER_THAN.match(code) and code == parse(code))


def meaning(code: str) -> str:
    if code in MEANINGS:
        return MEANINGS[code]
    if match := FEWER_THAN.match(code):
        return f"suppressed: fewer than {match.group(1)}"
    raise ValueError(f"{code!r} is not a symbol")


def key(codes: set[str] | None = None) -> list[tuple[str, str]]:
    """The key to the symbols shown (all of them when `codes` is None): (code, meaning)."""
    wanted = set(MEANINGS) if codes is None else codes
    listed = [(code, text) for code, text in MEANINGS.items() if code in wanted]
    listed += sorted((code, meaning(code)) for code in wanted - set(MEANINGS) if is_symbol(code))
    return listed


def accepted() -> str:
    """What may be typed instead of a number, for messages."""
    return ", ".join(MEANINGS) + ", <5"
