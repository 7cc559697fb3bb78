"""Fixtures of the queue use-case tests: a fresh demo database, a kiosk, an officer."""

import pytest

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.queueing import service as queue
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def db(bare_demo_db):
    return bare_demo_db


@pytest.fixture
def kiosk(db):
    site = catalogue.get_site(db, "lahat")
    return queue.Issuer(label="kios:lobi", site_id=site.id)


@pytest.fixture
def officer(db):
    return accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)


def dukcapil_counter(db) -> int:
    return next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL"
                and "DKC-01" in c.services)
