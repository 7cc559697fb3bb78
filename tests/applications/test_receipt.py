"""The tanda terima of an application through the service layer, on SQLite and PostgreSQL: what
the applicant takes home (tracking number, service, the documents handed in, the promised day),
the NIK and phone never in full, and only for staff who may open the application."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from satupintu.accounts import service as accounts
from satupintu.applications import service as apps
from satupintu.errors import Forbidden
from satupintu.timeutil import to_local
from satupintu.workdays import due_at
from tests.applications.test_application_service import NIK, opened
from tests.conftest import DEMO_PASSWORD


def test_the_receipt_lists_the_documents_received_the_promised_day_and_masks_nik_and_phone(demo_db):
    officer, out = opened(demo_db, phone="0812-3456-7890")
    r = apps.receipt(demo_db, officer, "lahat", out.application.id)
    assert r.tracking_number == out.tracking_number and r.site_name == "MPP Kabupaten Lahat"
    assert "Letnan Amir Hamzah" in r.site_address
    assert r.service_name == "Izin Penyelenggaraan Reklame" and r.agency
    assert r.documents_received == ["KTP-el pemohon dan NIB (bagi badan usaha)",
                                    "Desain reklame beserta ukuran, jumlah sisi dan naskah reklame"]
    assert len(r.documents_missing) == 3
    # Izin Reklame: 5 working days; the applicant reads the last of them.
    end = due_at(r.received_at, 5, "Asia/Jakarta")
    assert r.due_at == end and r.due_day == to_local(end - timedelta(seconds=1), "Asia/Jakarta").date()
    assert r.standard == "5 hari kerja"
    assert r.nik_masked == "1604**********01"
    shown = json.dumps(r.model_dump(mode="json"))
    assert NIK not in shown and "81234567890" not in shown and "3456" not in shown.replace(r.tracking_number, "")
    assert r.received_by  # the officer who accepted it signs it


def test_staff_of_another_agency_cannot_print_someone_elses_receipt(demo_db):
    _, out = opened(demo_db)
    other = accounts.authenticate(demo_db, "petugas.dukcapil", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        apps.receipt(demo_db, other, "lahat", out.application.id)
    boss = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    assert apps.receipt(demo_db, boss, "lahat", out.application.id).tracking_number == out.tracking_number
