"""Up sync over real HTTP: the van works its event offline (tickets called and finished, a
survey answered), then `push` sends every row to the centre, which holds each exactly once and
equal field by field; a replay writes nothing; a reply lost mid-push is re-sent harmlessly; a
ticket the centre has already moved on is refused by name while the rest applies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.errors import DomainError
from satupintu.feedback import service as feedback
from satupintu.feedback.schemas import SurveyIn
from satupintu.feedback.skm import KEYS, Regulation
from satupintu.migrate import upgrade
from satupintu.models import Base
from satupintu.queueing import service as queue
from satupintu.queueing.policy import Status
from satupintu.unit import capture, link
from satupintu.unit.rows import decode_value, encode_row
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for

EVENT = "plaza-lematang"
CONTACT = {"contact_name": "Rina (sopir unit)", "contact_email": "rina@lahatkab.go.id"}


@pytest.fixture
def van(bare_server: LiveServer, tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite install, enrolled for the event (its bundle pulled)."""
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    db = Database(url)
    with bare_server.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert r.status_code == 201, r.text
    link.enrol(db, bare_server.url, r.json()["code"], "Laptop Van 1")
    yield db
    db.dispose()


def _officer(van: Database) -> Any:
    """The mall's manager, signed in at the van (their account came down with the bundle); the
    demo's event officers have no accounts of their own."""
    return accounts.authenticate(van, "pengelola", DEMO_PASSWORD)


def _work_a_morning(van: Database, tickets: int = 3) -> list[Any]:
    """At the van's kiosk and counter 2 (Dukcapil): tickets issued, the first called, served and
    finished, and its visitor answers the survey."""
    event = catalogue.get_site(van, EVENT)
    kiosk = queue.Issuer(label="kios:van", site_id=event.id)
    issued = [queue.issue_ticket(van, kiosk, EVENT, "DKC-01") for _ in range(tickets)]
    officer = _officer(van)
    queue.open_counter(van, officer, EVENT, 2)
    queue.call_next(van, officer, EVENT, 2)
    queue.start_serving(van, officer, EVENT, 2)
    queue.finish(van, officer, EVENT, 2)
    first = issued[0]
    answers = {k: 4 for k in KEYS[Regulation.permenpanrb_14_2017]}
    feedback.submit_survey(van, first.id, feedback.survey_code(first.visit_id), SurveyIn(answers=answers))
    return issued


def _unit_rows(van: Database) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every row of the event in the van's unit-owned tables, by table and primary key."""
    event_id = catalogue.get_site(van, EVENT).id
    out: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    with van.read() as s:
        conn = s.connection()
        for name, row in capture.changed_rows(conn, event_id, 0, capture.head(conn)):
            table = Base.metadata.tables[name]
            out.setdefault(name, {})[tuple(row[c.name] for c in table.primary_key.columns)] = row
    return out


MORNING = {"visits", "tickets", "ticket_events", "ticket_sequences", "survey_responses", "counter_states",
           "audit_log"}


def _assert_centre_holds_each_once(centre: Database, van: Database, expect: set[str] = MORNING) -> int:
    unit = _unit_rows(van)
    assert expect <= set(unit), set(unit)
    event_id = catalogue.get_site(centre, EVENT).id
    total = 0
    with centre.read() as s:
        for name, rows in unit.items():
            table = Base.metadata.tables[name]
            for key, row in rows.items():

                where = [c == decode_value(c.type, v) for c, v in zip(table.primary_key.columns, key, strict=True)]
                got = s.execute(select(table).where(*where)).all()
                assert len(got) == 1, (name, key)
                assert encode_row(table, got[0]) == row, name
                total += 1
        tickets = Base.metadata.tables["tickets"]
        assert s.scalar(select(func.count()).select_from(tickets).where(tickets.c.site_id == event_id)) \
            == len(unit.get("tickets", {}))
    return total


def test_the_vans_morning_reaches_the_centre_once_and_a_replay_writes_nothing(bare_server: LiveServer,
                                                                             van: Database) -> None:
    """After a push the centre has every ticket, call, counter state and survey of the van, equal
    field by field; the van's status shows no backlog; pushing again sends rows the centre
    already has and changes nothing."""
    _work_a_morning(van)
    before = link.status(van)
    assert before is not None and before.backlog >= 10 and before.last_push_at is None
    pushed = link.push(van)
    assert not pushed.refused and pushed.written["tickets"] == 3 and pushed.written["survey_responses"] == 1
    centre: Database = bare_server.app.state.db
    sent = _assert_centre_holds_each_once(centre, van)
    assert pushed.sent == sent
    after = link.status(van)
    assert after is not None and after.backlog == 0 and after.last_push_at is not None and after.last_error is None
    assert link.push(van).sent == 0  # nothing new since the acknowledgement
    # A replay of everything (the cursor reset as after a lost acknowledgement) writes nothing.
    from satupintu.unit.models import CentreLink

    with van.write() as s:
        s.execute(update(CentreLink).values(pushed_seq=0))
    replay = link.push(van)
    assert replay.written == {} and sum(replay.unchanged.values()) == sent and not replay.refused


class CutAfterCommit(httpx.BaseTransport):
    """The link drops after the centre answered the first batch: the centre has committed it, the
    van never hears the answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST":
            self.posts += 1
            response.read()
            if self.posts == 2:
                raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_cut_in_the_middle_of_a_push_is_resent_and_still_lands_once(bare_server: LiveServer,
                                                                     van: Database) -> None:
    """The van's link drops during the push: it says the centre could not be reached, keeps its
    backlog, and the next push completes with every row at the centre exactly once."""
    _work_a_morning(van, tickets=5)
    cut = CutAfterCommit()
    with pytest.raises(DomainError) as away:
        link.push(van, transport=cut, batch_size=4)
    assert away.value.code == "centre_unreachable" and cut.posts == 2
    st = link.status(van)
    assert st is not None and st.backlog > 0 and st.last_error and st.last_push_at is None
    again = link.push(van, batch_size=4)
    assert not again.refused and sum(again.unchanged.values()) >= 4  # the batches the centre had kept
    _assert_centre_holds_each_once(bare_server.app.state.db, van)
    st = link.status(van)
    assert st is not None and st.backlog == 0 and st.last_error is None


def test_a_ticket_the_centre_moved_on_is_refused_by_name_and_the_rest_applies(bare_server: LiveServer,
                                                                             van: Database) -> None:
    """The centre closed a waiting ticket; the van then calls it: the push reports that ticket as
    refused (its status would go backwards) and applies its call and everything else."""
    issued = _work_a_morning(van)
    link.push(van)
    second = issued[1]
    centre: Database = bare_server.app.state.db
    tickets = Base.metadata.tables["tickets"]
    with centre.write() as s:
        s.execute(update(tickets).where(tickets.c.id == second.id).values(status=Status.done))
    officer = _officer(van)
    called = queue.call_next(van, officer, EVENT, 2)
    assert called is not None and called.id == second.id
    queue.issue_ticket(van, queue.Issuer(label="kios:van", site_id=catalogue.get_site(van, EVENT).id), EVENT, "DKC-01")
    pushed = link.push(van)
    assert [(r.table, r.id, r.code) for r in pushed.refused] == [("tickets", str(second.id), "status_backwards")]
    assert "lebih maju" in pushed.refused[0].reason
    assert pushed.written["tickets"] == 1 and pushed.written["ticket_events"] >= 2
    with centre.read() as s:
        assert s.scalar(select(tickets.c.status).where(tickets.c.id == second.id)) is Status.done


def test_a_complaint_the_centre_took_over_is_refused_and_reported(bare_server: LiveServer, van: Database) -> None:
    """A visitor files a complaint with a photo at the van; it reaches the centre, photo and all,
    whose manager verifies it there (the centre now owns it). When the van's manager also acts on
    it, the push reports the complaint and its new step as refused ('Pusat sudah menangani'), and
    the van's new ticket lands."""
    from satupintu.feedback import complaint_service as cs
    from satupintu.feedback.complaint_schemas import ComplaintIn, StepIn
    from satupintu.feedback.complaints import Severity, Step
    from satupintu.feedback.models import Complaint
    from tests.feedback import files

    data = ComplaintIn(title="Antrean tidak tertib", body="Nomor saya dilewati di meja 2.",
                       reporter_name="Budi Santoso", reporter_contact="0812-1111-2222")
    code = cs.file_complaint(van, EVENT, data, "kiosk", attachments=[("antrean.png", files.png((64, 64)))]
                             ).tracking_code
    first = link.push(van)
    assert first.written.get("complaints") == 1 and first.written.get("complaint_attachments") == 1
    assert not first.refused
    centre: Database = bare_server.app.state.db
    _assert_centre_holds_each_once(centre, van, {"complaints", "complaint_events", "complaint_attachments"})
    with centre.read() as s:
        cid = s.scalar(select(Complaint.id).where(Complaint.tracking_code == code))
    assert cid is not None
    cs.take_step(centre, accounts.authenticate(centre, "pengelola", DEMO_PASSWORD), EVENT, cid,
                 StepIn(step=Step.verify, severity=Severity.high))
    cs.take_step(van, _officer(van), EVENT, cid, StepIn(step=Step.verify, severity=Severity.normal))
    ticket = queue.issue_ticket(van, queue.Issuer(label="kios:van", site_id=catalogue.get_site(van, EVENT).id),
                                EVENT, "DKC-01")
    pushed = link.push(van)
    refused = {(r.table, r.code) for r in pushed.refused}
    assert refused == {("complaints", "handed_over"), ("complaint_events", "handed_over")}
    assert all("sudah menangani" in r.reason for r in pushed.refused)
    assert pushed.written["tickets"] == 1
    with centre.read() as s:
        kept = s.get(Complaint, cid)
        assert kept is not None and kept.severity in (Severity.high, Severity.high.value)
        tickets = Base.metadata.tables["tickets"]
        assert s.scalar(select(func.count()).select_from(tickets).where(tickets.c.id == ticket.id)) == 1


def test_batches_keep_the_order_and_stay_under_their_limits() -> None:
    """Rows are cut into batches by count and by size, in the order given; a big row goes alone."""
    rows = [("tickets", {"id": str(i), "note": "x" * (5000 if i == 3 else 10)}) for i in range(7)]
    out = list(capture.batches(iter(rows), size=3, max_bytes=1000))
    assert [[r["id"] for r in b.tables["tickets"]] for b in out] == [["0", "1", "2"], ["3"], ["4", "5", "6"]]
