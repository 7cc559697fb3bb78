"""Cursor pages, as pure rules: following the cursors visits every item once, and an item removed
before the cursor neither repeats nor skips one."""

from hypothesis import given
from hypothesis import strategies as st

from satupintu.web.paging import decode_cursor, encode_cursor, start_of


def _walk(items: list[dict], limit: int) -> list[dict]:
    seen, cursor = [], None
    while True:
        first = start_of(items, cursor)
        chosen = items[first:first + limit]
        seen += chosen
        if first + limit >= len(items):
            return seen
        cursor = encode_cursor(str(chosen[-1]["id"]), first + len(chosen))


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=25))
def test_following_the_cursors_visits_every_item_once(n, limit):
    items = [{"id": i} for i in range(n)]
    assert _walk(items, limit) == items


@given(st.integers(min_value=5, max_value=40), st.data())
def test_an_item_removed_before_the_cursor_skips_nothing(n, data):
    items = [{"id": i} for i in range(n)]
    cursor = encode_cursor("3", 4)  # the page ended with item 3
    gone = data.draw(st.integers(min_value=0, max_value=2))
    after = [x for x in items if x["id"] != gone]
    assert after[start_of(after, cursor)]["id"] == 4


def test_a_cursor_round_trips():
    assert decode_cursor(encode_cursor("abc", 7)) == ("abc", 7)
