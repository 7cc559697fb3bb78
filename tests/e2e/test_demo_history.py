"""A manager opening a freshly loaded demo in Chromium finds its feedback desks filled by the
demo's past weeks: the SKM page shows an index, its grade, respondents and their profile; the
complaint desk shows complaints in several states with the overdue and due-soon marks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context, shot
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "history") as server:
        yield server


def test_the_demos_skm_page_and_complaint_desk_have_something_to_show(browser, live):
    """The SKM page of the month (or of the quarter early in a month) has an index between 25 and
    100 and a profile table; the complaint desk lists the demo's complaints with a 'Terlambat' mark."""
    context = new_context(browser, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    login(page, live, "pengelola")
    page.goto(live.url + "/kelola/lahat/skm?periode=triwulan")
    ikm = float(page.locator("#ikm-value").inner_text().replace(",", "."))
    assert 25 <= ikm <= 100
    assert int(page.locator("#respondent-count").inner_text()) > 50
    assert page.locator(".profile table").count() == 4
    shot(page, "demo-history-skm")
    page.goto(live.url + "/kelola/lahat/pengaduan")
    assert page.locator("small.late").count() == 1
    assert page.get_by_text("Sedang ditindaklanjuti").count() >= 1
    shot(page, "demo-history-complaints")
    context.close()
