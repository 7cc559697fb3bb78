"""The web edge gets what it needs from the capabilities at start-up (web/providers.py)."""

from satupintu.accounts.credentials import AccountCredentials
from satupintu.web.providers import Credentials


def test_the_accounts_answer_is_a_credentials_provider(demo_db):
    credentials: Credentials = AccountCredentials(demo_db)
    assert credentials.is_kiosk("not-a-device-token") is False
