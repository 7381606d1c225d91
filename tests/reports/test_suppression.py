"""Small-number suppression: no published table lets a reader work out a count from 1 to 5."""

import itertools
import random

from reports.services import HIDDEN_TEXT, SMALL_TEXT, suppress_count, suppress_table


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


def test_a_small_total_is_itself_suppressed():
    cells, totals = suppress_table({"y": {"a": 3, "b": 0}})
    assert totals["y"].text == SMALL_TEXT
    assert cells["y"]["a"].suppressed and cells["y"]["b"].text == "0"


def test_the_total_is_hidden_when_nothing_else_can_be():
    cells, totals = suppress_table({"y": {"a": 5, "b": 5, "c": 0}})
    assert totals["y"].suppressed
    assert cells["y"]["a"].suppressed and cells["y"]["b"].suppressed


def test_given_totals_are_used_when_a_breakdown_does_not_add_up_to_its_own_sum():
    _, totals = suppress_table({"y": {"a": 10}}, {"y": 12})
    assert totals["y"].text == "12"


def _solutions(values, hidden, total_known):
    """Every assignment of the hidden cells consistent with what is published."""
    shown = sum(v for i, v in enumerate(values) if i not in hidden)
    ranges = []
    for i in sorted(hidden):
        ranges.append(range(1, 6) if 1 <= values[i] <= 5 else range(0, 60))
    out = set()
    for combo in itertools.product(*ranges):
        if total_known is None or shown + sum(combo) == total_known:
            out.add(combo)
    return out


def test_no_hidden_small_number_can_be_worked_out_in_random_tables():
    rng = random.Random(6)
    for _ in range(300):
        values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 14, 25]) for _ in range(rng.randint(2, 5))]
        cells, totals = suppress_table({"y": dict(enumerate(values))})
        col = cells["y"]
        for i, v in enumerate(values):
            if 1 <= v <= 5:
                assert col[i].suppressed, values
            elif not col[i].suppressed:
                assert col[i].value == v
        hidden = {i for i in col if col[i].suppressed}
        if not hidden:
            continue
        total = None if totals["y"].suppressed else sum(values)
        # A reader who does not know which hidden cell is small: every hidden cell could be
        # anything from 1 to 5 when all read "fewer than 6", else anything at all.
        if all(col[i].text == SMALL_TEXT for i in hidden):
            ranges_values = values
        else:
            ranges_values = [99 if i in hidden else v for i, v in enumerate(values)]
        sols = _solutions(ranges_values, hidden, total)
        for i in hidden:
            if 1 <= values[i] <= 5:
                position = sorted(hidden).index(i)
                possible = {s[position] for s in sols}
                assert len(possible) > 1, (values, hidden, possible)


def test_tables_of_one_population_cannot_give_away_what_another_hides():
    from reports.services import suppress_population

    # By age: 5 and 5, which the total of 10 would give away, so the total is hidden. By
    # locality all 10 live in one place: that count is the total, so it is hidden too.
    cells, totals = suppress_population(
        {
            "age": {"y": {"0-4": 5, "5-10": 5, "11-15": 0}},
            "locality": {"y": {"north": 10, "south": 0}},
        },
        {"y": 10},
    )
    assert totals["y"].suppressed
    assert (
        cells["locality"]["y"]["north"].suppressed and cells["locality"]["y"]["south"].text == "0"
    )
    assert all(cells["age"]["y"][k].suppressed for k in ("0-4", "5-10"))


def test_tables_that_need_nothing_together_are_left_alone():
    from reports.services import suppress_population

    cells, totals = suppress_population(
        {"age": {"y": {"a": 20, "b": 3, "c": 4}}, "locality": {"y": {"n": 15, "s": 12}}},
        {"y": 27},
    )
    assert totals["y"].text == "27"
    assert [c.text for c in cells["locality"]["y"].values()] == ["15", "12"]
    assert [c.text for c in cells["age"]["y"].values()] == ["20", SMALL_TEXT, SMALL_TEXT]
