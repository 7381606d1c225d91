"""Small-number suppression for the published statement, as statistical releases do it.

Each column of a table (one year) is a count of children by category, adding up to a published
total. The rules (GSS/ONS practice for counts that could identify a person):

- **Primary**: a count from 1 to 5 is not shown.
- **A small total**: a total from 1 to 5 reads "fewer than 6" and *no* count of its column is
  shown, not even a 0: showing which categories are empty would give away how many children
  there are in the others (five categories "fewer than 6" under a total "fewer than 6" can only
  be one child each).
- **Secondary**: where the hidden counts of a column could be worked out from the total (one
  hidden count; or several that can only be all 1 or all 5), more counts are hidden, smallest
  first (equal counts together, so that which is hidden never depends on the order of the
  rows), until the hidden counts add up to at least ``HIDDEN_SUM_MIN`` and include one of 6 or
  more, *and* no hidden count is pinned down even by a reader who knows that the counts hidden
  to protect others are smaller than every count of 6 or more still shown. Every hidden count of
  such a column reads "not shown", so a reader cannot tell which one was the small number.
- When a column runs out of counts to hide, nothing of it is shown (total included).

``tests/reports/test_suppression.py`` checks the result with a solver that tries every value
the hidden counts could have, for random tables.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL_TEXT = "fewer than 6"
HIDDEN_TEXT = "not shown"
SMALL_MAX = 5
HIDDEN_SUM_MIN = 10


@dataclass(frozen=True)
class Cell:
    """A published count: ``value`` is None when it is not shown; ``text`` is what is printed."""

    value: int | None
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


def _shown(n: int) -> Cell:
    return Cell(n, f"{n:,}")


def suppress_count(n: int) -> Cell:
    """One count on its own: 1 to 5 becomes "fewer than 6"; 0 and 6 or more are shown."""
    return Cell(None, SMALL_TEXT) if 1 <= n <= SMALL_MAX else _shown(n)


def _small_only_is_safe(hidden: list[int]) -> bool:
    """Hidden counts each known to be 1 to 5, with their sum known: is none of them pinned?
    Only all 1s (sum = k) and all 5s (sum = 5k) are; one count alone always is."""
    k, total = len(hidden), sum(hidden)
    return k >= 2 and k < total < SMALL_MAX * k


def _possible(hidden_sum: int, k: int, bound: int) -> set[int]:
    """The values one of k hidden counts can take when each is from 1 to ``bound`` (a count
    hidden to protect another is at most the smallest count still shown), at least one of
    them is from 1 to 5, and they add up to ``hidden_sum``."""
    out = set()
    for v in range(1, min(bound, hidden_sum) + 1):
        rest = hidden_sum - v
        others = k - 1
        if others == 0:
            ok = rest == 0 and v <= SMALL_MAX
        elif v <= SMALL_MAX:
            ok = others <= rest <= others * bound
        else:  # one of the others must be the small number
            ok = others <= rest <= SMALL_MAX + (others - 1) * bound
        if ok:
            out.add(v)
    return out


def _secondary_is_safe(values: list[int], hidden: set[int]) -> bool:
    hidden_values = [values[i] for i in hidden]
    if sum(hidden_values) < HIDDEN_SUM_MIN or max(hidden_values) <= SMALL_MAX:
        return False
    still_shown = [v for i, v in enumerate(values) if i not in hidden and v > SMALL_MAX]
    # Counts hidden to protect others are smaller than every count of 6 or more still shown.
    bound = min(still_shown, default=sum(hidden_values) + 1) - 1
    return len(_possible(sum(hidden_values), len(hidden), bound)) > 1


# What a column shows: "open" (every count), "small" (primary only, each "fewer than 6"),
# "secondary" (hidden counts "not shown"), "small total" and "closed" (nothing shown).
OPEN, SMALL, SECONDARY, SMALL_TOTAL, CLOSED = "open", "small", "secondary", "small total", "closed"


def plan_column(values: list[int], total: int) -> tuple[str, set[int]]:
    """(what the column shows, the indexes of its hidden counts)."""
    everything = set(range(len(values)))
    if 1 <= total <= SMALL_MAX:
        return SMALL_TOTAL, everything
    primary = {i for i, v in enumerate(values) if 1 <= v <= SMALL_MAX}
    if not primary:
        return OPEN, set()
    if _small_only_is_safe([values[i] for i in primary]):
        return SMALL, primary
    hidden = set(primary)
    # Equal counts are hidden together, smallest first: choosing one of two equal counts by
    # its row would let a reader who knows the rule tell which hidden count is the small one.
    for value in sorted({v for v in values if v > SMALL_MAX}):
        hidden |= {i for i, v in enumerate(values) if v == value}
        if _secondary_is_safe(values, hidden):
            return SECONDARY, hidden
    return CLOSED, everything


def _cells(values, keys, total, state, hidden):
    text = SMALL_TEXT if state == SMALL else HIDDEN_TEXT
    cells = {
        k: (Cell(None, text) if i in hidden else _shown(values[i])) for i, k in enumerate(keys)
    }
    if state == SMALL_TOTAL:
        total_cell = Cell(None, SMALL_TEXT)
    elif state == CLOSED:
        total_cell = Cell(None, HIDDEN_TEXT)
    else:
        total_cell = _shown(total)
    return cells, total_cell


def suppress_table(
    columns: dict[str, dict[str, int]],
    totals: dict[str, int] | None = None,
    closed: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    """Suppress small numbers in a table whose columns each add up to a published total
    (``totals`` defaults to each column's sum). ``closed``: columns of which nothing may be
    shown because another table of the same population could show nothing of them (see
    ``suppress_population``). Returns (cells, totals)."""
    totals = dict(totals or {c: sum(v.values()) for c, v in columns.items()})
    out: dict[str, dict[str, Cell]] = {}
    out_totals: dict[str, Cell] = {}
    for col, counts in columns.items():
        keys = list(counts)
        values = [int(counts[k]) for k in keys]
        total = int(totals[col])
        state, hidden = plan_column(values, total)
        if col in closed and state != SMALL_TOTAL:
            state, hidden = CLOSED, set(range(len(values)))
        out[col], out_totals[col] = _cells(values, keys, total, state, hidden)
    return out, out_totals


def column_states(columns: dict[str, dict[str, int]], totals: dict[str, int]) -> dict[str, str]:
    return {
        col: plan_column([int(v) for v in counts.values()], int(totals[col]))[0]
        for col, counts in columns.items()
    }


def suppress_population(
    tables: dict[str, dict[str, dict[str, int]]], totals: dict[str, int]
) -> tuple[dict[str, dict[str, dict[str, Cell]]], dict[str, Cell]]:
    """Several tables of one population (by age, by locality, ...), each column adding up to
    the same total: suppressed together, so that one table cannot give away what another
    hides. A column that one table cannot show at all is shown by none. Returns
    ({table: cells}, totals)."""
    closed = {
        col
        for columns in tables.values()
        for col, state in column_states(columns, totals).items()
        if state == CLOSED
    }
    out = {}
    out_totals: dict[str, Cell] = {}
    for name, columns in tables.items():
        out[name], out_totals = suppress_table(columns, totals, closed)
    return out, out_totals
