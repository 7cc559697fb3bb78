"""The users page's use cases: accounts created with a one-time password, scope, sessions ended
on deactivation, and one person one record between an account and a roster officer."""

from __future__ import annotations

import pytest

from satupintu.accounts import service as accounts
from satupintu.errors import Conflict, Forbidden, ValidationFailed
from satupintu.roles import Role
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD


def _manager(db, name="pengelola"):
    return accounts.authenticate(db, name, DEMO_PASSWORD)


def _new(db, actor, username, role=Role.counter_officer, agency="DUKCAPIL"):
    return accounts.open_account(db, actor, accounts.AccountIn(username=username, full_name="Nama Uji",
                                                               role=role, site="lahat", agency=agency))


def test_a_new_account_gets_a_one_time_password_that_signs_in(fresh_demo_db):
    user, made = _new(fresh_demo_db, _manager(fresh_demo_db), "sari.loket")
    assert made and accounts.authenticate(fresh_demo_db, "sari.loket", made).username == "sari.loket"
    assert any(u.id == user.id for u in accounts.users_page(fresh_demo_db, _manager(fresh_demo_db), "lahat").accounts)


def test_a_taken_username_is_refused_beside_the_username(fresh_demo_db):
    with pytest.raises(Conflict) as exc:
        _new(fresh_demo_db, _manager(fresh_demo_db), "petugas.dukcapil")
    assert exc.value.field == "username"


def test_an_agency_admin_cannot_create_a_site_manager_and_sees_only_its_counter_officers(fresh_demo_db):
    admin = _manager(fresh_demo_db, "admin.dukcapil")
    with pytest.raises(Forbidden):
        _new(fresh_demo_db, admin, "calon.pengelola", Role.site_manager, None)
    seen = {u.username for u in accounts.users_page(fresh_demo_db, admin, "lahat").accounts}
    assert seen == {"petugas.dukcapil"}


def test_deactivating_ends_the_sessions(fresh_demo_db):
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    accounts.set_active(db, _manager(db), officer.user_id, False)
    assert accounts.actor_for_credential(db, officer.user_id, officer.epoch) is None


def test_a_login_links_to_one_officer_and_an_officer_to_one_login(fresh_demo_db):
    db, m = fresh_demo_db, _manager(fresh_demo_db)
    first, _ = _new(db, m, "loket.satu")
    second, _ = _new(db, m, "loket.dua")
    dukcapil = [o for o in staffing.list_officers(db, m, "lahat") if o.agency == "DUKCAPIL"]
    staffing.link_login(db, m, "lahat", first.id, dukcapil[0].id)
    with pytest.raises(ValidationFailed) as exc:
        staffing.link_login(db, m, "lahat", second.id, dukcapil[0].id)
    assert exc.value.details[0].code == "officer_linked"
    with pytest.raises(ValidationFailed) as exc:
        staffing.link_login(db, m, "lahat", first.id, dukcapil[1].id)
    assert exc.value.details[0].code == "account_linked"
    other = next(o for o in staffing.list_officers(db, m, "lahat") if o.agency != "DUKCAPIL")
    with pytest.raises(ValidationFailed) as exc:
        staffing.link_login(db, m, "lahat", second.id, other.id)
    assert exc.value.details[0].field == "officer"
    view = staffing.accounts_page(db, m, "lahat")
    assert view.linked[first.id].id == dukcapil[0].id
    staffing.link_login(db, m, "lahat", first.id, None)
    assert first.id not in staffing.accounts_page(db, m, "lahat").linked
