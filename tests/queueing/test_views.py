"""What the queue shows a waiting citizen (queueing/views.py), on SQLite and PostgreSQL."""



from satupintu.queueing import service as queue
from tests.queueing.usecases import db, dukcapil_counter, kiosk, officer  # noqa: F401


def test_waiting_estimate_counts_people_ahead_and_open_counters(db, kiosk, officer):
    tickets = [queue.issue_ticket(db, kiosk, "lahat", "DKC-01") for _ in range(4)]
    assert [t.position for t in tickets] == [0, 1, 2, 3]
    last = queue.get_ticket(db, tickets[-1].id)
    assert last.position == 3 and last.estimated_wait_minutes > 0
