"""Small-number suppression: no published table lets a reader work out a count from 1 to 5.

The random tests check every table with a solver that tries every value the hidden counts
could have, given what is printed: the shown counts, the total (or "fewer than 6"), that a
count reading "fewer than 6" is from 1 to 5, that a column with counts "not shown" hides at
least one from 1 to 5, and that a count hidden to protect another is no bigger than the
smallest count still shown (the reader may know how the counts to hide are chosen). For
every hidden count the solver must find more than one value.
"""

import functools
import random

from reports.services import (
    HIDDEN_TEXT,
    SMALL_TEXT,
    suppress_count,
    suppress_population,
    suppress_table,
)

CAP = 60  # the largest value the solver tries for a count or total it knows nothing about


def test_counts_from_1_to_5_read_fewer_than_6_and_others_are_shown():
    assert [suppress_count(n).text for n in (0, 1, 5, 6, 1234)] == [
        "0",
        SMALL_TEXT,
        SMALL_TEXT,
        "6",
        "1,234",
    ]
    assert suppress_count(3).value is None and suppress_count(6).value == 6


def test_a_table_without_small_numbers_is_shown_whole():
    cells, totals = suppress_table({"2026": {"a": 10, "b": 0, "c": 7}})
    assert [c.text for c in cells["2026"].values()] == ["10", "0", "7"]
    assert totals["2026"].text == "17"


def test_one_small_number_beside_a_total_hides_the_next_smallest_too():
    cells, totals = suppress_table({"2026": {"a": 40, "b": 3, "c": 9, "d": 12}})
    col = cells["2026"]
    assert col["b"].suppressed and col["c"].suppressed
    assert not col["a"].suppressed and not col["d"].suppressed
    # Every hidden number reads the same, so the reader cannot tell which one is small.
    assert col["b"].text == col["c"].text == HIDDEN_TEXT
    assert totals["2026"].text == "64"


def test_two_small_numbers_whose_sum_gives_them_away_hide_a_third():
    # 1 + 1: with the total known both could only be 1.
    cells, _ = suppress_table({"y": {"a": 1, "b": 1, "c": 30, "d": 8}})
    hidden = {k for k, c in cells["y"].items() if c.suppressed}
    assert hidden == {"a", "b", "d"}


def test_two_small_numbers_that_cannot_be_told_apart_need_nothing_more():
    cells, totals = suppress_table({"y": {"a": 2, "b": 3, "c": 30}})
    assert {k for k, c in cells["y"].items() if c.suppressed} == {"a", "b"}
    assert cells["y"]["a"].text == SMALL_TEXT
    assert totals["y"].text == "35"


def test_a_small_total_shows_none_of_its_counts_not_even_the_zeros():
    cells, totals = suppress_table({"y": {"a": 3, "b": 0, "c": 0}, "z": {"a": 3, "b": 9}})
    assert totals["y"].text == SMALL_TEXT
    assert [c.text for c in cells["y"].values()] == [HIDDEN_TEXT] * 3
    # The other year's column is a population of its own.
    assert totals["z"].text == "12"


def test_five_children_one_in_each_band_cannot_be_worked_out():
    # Five "fewer than 6" under a total "fewer than 6" could only be 1 each.
    cells, totals = suppress_table({"y": {b: 1 for b in "abcde"} | {"f": 0}})
    assert totals["y"].text == SMALL_TEXT
    assert all(c.text == HIDDEN_TEXT for c in cells["y"].values())
    _check(cells["y"], totals["y"])


def test_the_counts_hidden_beside_a_small_one_are_not_pinned_by_the_smallest_shown():
    # Hiding 2 and the next smallest (6) left 2 + 6 = 8 hidden with 6 still shown: a hidden
    # count of 6 or more could only be 6, so the small one could only be 2.
    values = {"0-4": 2, "5-10": 6, "11-15": 6, "16-17": 20, "18-25": 30}
    cells, totals = suppress_table({"y": values})
    assert totals["y"].text == "64"
    hidden = [v for k, v in values.items() if cells["y"][k].suppressed]
    assert sum(hidden) >= 10 and max(hidden) >= 6
    _check(cells["y"], totals["y"])
    cells, totals = suppress_table({"y": {"a": 4, "b": 6, "c": 6}})
    _check(cells["y"], totals["y"])


def test_which_count_is_hidden_never_depends_on_the_order_of_the_rows():
    # With one of two equal 6s hidden by its row, seeing 0-4 and 11-15 hidden and 5-10 = 6
    # shown told a reader who knows the rule that 11-15 was the small one (11 - 6 = 5).
    values = {"0-4": 6, "5-10": 6, "11-15": 5, "16-17": 9, "18-25": 9}
    cells, totals = suppress_table({"y": values})
    assert cells["y"]["0-4"].suppressed and cells["y"]["5-10"].suppressed
    _check(cells["y"], totals["y"], values)
    rng = random.Random(7)
    for _ in range(300):
        values = _random_values(rng)
        order = list(values)
        rng.shuffle(order)
        cells, _ = suppress_table({"y": values})
        again, _ = suppress_table({"y": {k: values[k] for k in order}})
        hidden = sorted(values[k] for k, c in cells["y"].items() if c.suppressed)
        assert hidden == sorted(values[k] for k, c in again["y"].items() if c.suppressed)
        # Equal counts are either all shown or all hidden.
        for v in set(values.values()) - {0}:
            assert len({cells["y"][k].suppressed for k in values if values[k] == v}) == 1


def test_the_column_is_not_shown_at_all_when_nothing_else_can_be_hidden():
    cells, totals = suppress_table({"y": {"a": 5, "b": 5, "c": 0}})
    assert totals["y"].suppressed and totals["y"].text == HIDDEN_TEXT
    assert all(c.suppressed for c in cells["y"].values())


def test_given_totals_are_used_when_a_breakdown_does_not_add_up_to_its_own_sum():
    _, totals = suppress_table({"y": {"a": 10}}, {"y": 12})
    assert totals["y"].text == "12"


# --- The solver ---------------------------------------------------------------------------


def _domains(cells, total):
    """What a reader knows of each count (a range of values) and of the total."""
    shown_big = [c.value for c in cells.values() if not c.suppressed and c.value > 5]
    if total.suppressed:
        totals = range(1, 6) if total.text == SMALL_TEXT else range(6, CAP + 1)
        # Nothing of the column is shown: any count could be 0.
        return {k: range(0, CAP + 1) for k, c in cells.items() if c.suppressed}, totals, False
    # Counts are hidden smallest first, equal ones together: a count hidden to protect another
    # is smaller than every count of 6 or more still shown.
    bound = min(shown_big, default=CAP + 1) - 1
    domains = {
        k: range(1, 6) if c.text == SMALL_TEXT else range(1, bound + 1)
        for k, c in cells.items()
        if c.suppressed
    }
    needs_small = any(c.text == HIDDEN_TEXT for c in cells.values())
    return domains, [total.value], needs_small


def _possible_values(cells, total) -> dict[str, set[int]]:
    """For every hidden count, each value it could have given what is printed: every
    combination of values is tried (memoised on what is left to share out)."""
    domains, totals, needs_small = _domains(cells, total)
    keys = list(domains)
    shown = sum(c.value for c in cells.values() if not c.suppressed)

    @functools.cache
    def feasible(start, remaining, have_small, skip):
        if start == len(keys):
            return remaining == 0 and (have_small or not needs_small)
        if start == skip:
            return feasible(start + 1, remaining, have_small, skip)
        return any(
            feasible(start + 1, remaining - v, have_small or 1 <= v <= 5, skip)
            for v in domains[keys[start]]
            if v <= remaining
        )

    out = {}
    for i, key in enumerate(keys):
        out[key] = {
            v
            for t in totals
            for v in domains[key]
            if t - shown - v >= 0 and feasible(0, t - shown - v, 1 <= v <= 5, i)
        }
    return out


def _check(cells, total, values=None):
    for key, possible in _possible_values(cells, total).items():
        assert len(possible) > 1, (values, key, possible)
        if values is not None:
            assert values[key] in possible, (values, key, possible)


def _random_values(rng):
    return {
        f"c{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 20])
        for i in range(rng.randint(2, 5))
    }


def test_no_hidden_count_can_be_worked_out_in_random_tables():
    rng = random.Random(6)
    for _ in range(400):
        values = _random_values(rng)
        cells, totals = suppress_table({"y": values})
        col, total = cells["y"], totals["y"]
        for key, v in values.items():
            if 1 <= v <= 5:
                assert col[key].suppressed, values
            elif not col[key].suppressed:
                assert col[key].value == v
        if 1 <= sum(values.values()) <= 5:
            assert total.text == SMALL_TEXT and all(c.text == HIDDEN_TEXT for c in col.values())
        _check(col, total, values)


def test_no_table_of_a_population_gives_away_what_another_hides():
    """Two tables of one population share its total: a value of the total is possible only if
    both tables allow it, and each hidden count is checked over those totals."""
    rng = random.Random(60)
    for _ in range(200):
        by_age = _random_values(rng)
        total = sum(by_age.values())
        # The same children by locality: the total shared out some other way.
        parts = [0] * rng.randint(2, 4)
        for _child in range(total):
            parts[rng.randrange(len(parts))] += 1
        by_place = {f"p{i}": n for i, n in enumerate(parts)}
        cells, totals = suppress_population(
            {"age": {"y": by_age}, "place": {"y": by_place}}, {"y": total}
        )
        t = totals["y"]
        assert t.suppressed == (t.text != f"{total:,}")
        possible_totals = set(_domains(cells["age"]["y"], t)[1])
        for name in ("age", "place"):
            col = cells[name]["y"]
            if t.suppressed and t.text == HIDDEN_TEXT:
                assert all(c.suppressed for c in col.values()), (by_age, by_place)
            _check(col, t, by_age | by_place)
        assert total in possible_totals


def test_tables_of_one_population_cannot_give_away_what_another_hides():
    # By age: 5 and 5, which the total of 10 would give away, so nothing of that column is
    # shown. By locality all 10 live in one place: that count is the total, so it is hidden
    # too, and so is the 0 beside it.
    cells, totals = suppress_population(
        {
            "age": {"y": {"0-4": 5, "5-10": 5, "11-15": 0}},
            "locality": {"y": {"north": 10, "south": 0}},
        },
        {"y": 10},
    )
    assert totals["y"].suppressed
    assert all(c.suppressed for c in cells["locality"]["y"].values())
    assert all(c.suppressed for c in cells["age"]["y"].values())


def test_tables_that_need_nothing_together_are_left_alone():
    cells, totals = suppress_population(
        {"age": {"y": {"a": 20, "b": 3, "c": 4}}, "locality": {"y": {"n": 15, "s": 12}}},
        {"y": 27},
    )
    assert totals["y"].text == "27"
    assert [c.text for c in cells["locality"]["y"].values()] == ["15", "12"]
    assert [c.text for c in cells["age"]["y"].values()] == ["20", SMALL_TEXT, SMALL_TEXT]
