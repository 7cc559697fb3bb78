"""Scope rules: who may see and change which site's and agency's data."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts.passwords import hash_password, password_problem, verify_password
from satupintu.roles import Role
from satupintu.scope import (
    Actor,
    SiteRef,
    can_manage_agency,
    can_manage_site,
    can_manage_user,
    can_read_site,
    scope_problem,
)

A, B, EVENT_A = SiteRef(uuid.uuid4()), SiteRef(uuid.uuid4()), None
EVENT_A = SiteRef(uuid.uuid4(), parent_id=A.id)
AG1, AG2 = uuid.uuid4(), uuid.uuid4()


def actor(role, site=None, agency=None):
    return Actor(uuid.uuid4(), "u", role, site.id if site else None, agency)


def test_site_manager_manages_own_site_and_its_mobile_events_only():
    m = actor(Role.site_manager, A)
    assert can_manage_site(m, A) and can_manage_site(m, EVENT_A)
    assert not can_manage_site(m, B) and not can_read_site(m, B)


def test_agency_admin_manages_own_agency_not_the_site_nor_other_agencies():
    adm = actor(Role.agency_admin, A, AG1)
    assert can_manage_agency(adm, A, AG1)
    assert not can_manage_agency(adm, A, AG2)
    assert not can_manage_site(adm, A)
    assert not can_manage_agency(adm, B, AG1)


def test_counter_officer_reads_own_site_but_changes_nothing():
    o = actor(Role.counter_officer, A, AG1)
    assert can_read_site(o, A)
    assert not can_manage_agency(o, A, AG1)
    assert not can_manage_user(o, Role.counter_officer, A, AG1)


def test_nobody_but_an_overseer_makes_an_overseer():
    for role in (Role.site_manager, Role.agency_admin, Role.counter_officer):
        assert not can_manage_user(actor(role, A, AG1), Role.national_overseer, None, None)
    assert can_manage_user(actor(Role.national_overseer), Role.national_overseer, None, None)


@given(st.sampled_from(list(Role)), st.sampled_from(list(Role)))
def test_nobody_scoped_to_site_a_touches_site_b(role, target_role):
    a = actor(role, None if role is Role.national_overseer else A, AG1)
    if role is Role.national_overseer:
        return
    assert not can_read_site(a, B)
    assert not can_manage_site(a, B)
    assert not can_manage_agency(a, B, AG1)
    assert not can_manage_user(a, target_role, B, AG1)


def test_role_scope_combinations():
    assert scope_problem(Role.national_overseer, None, None) is None
    assert scope_problem(Role.site_manager, A.id, None) is None
    assert scope_problem(Role.counter_officer, A.id, None) is not None
    assert scope_problem(Role.site_manager, None, None) is not None


def test_passwords_are_argon2_hashed_and_checked():
    h = hash_password("kata-sandi-panjang")
    assert h.startswith("$argon2id$") and "kata-sandi" not in h
    assert verify_password(h, "kata-sandi-panjang")
    assert not verify_password(h, "salah-sandi-panjang")
    assert not verify_password(None, "apa-saja-panjang")
    assert password_problem("pendek") is not None
    assert password_problem("budi12345678", "budi") is not None
