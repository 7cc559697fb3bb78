"""Message texts: Indonesian by default, English on request."""

from __future__ import annotations

import pytest

from satupintu.notify.templates import TEMPLATES, Kind, render


def test_citizen_reads_in_indonesian_which_counter_calls_their_number():
    m = render(Kind.ticket_called, number="A012", counter=3, site="MPP Kabupaten Lahat")
    assert m.subject == "Nomor antrean A012 dipanggil"
    assert "A012" in m.body and "Loket 3" in m.body and "MPP Kabupaten Lahat" in m.body


def test_citizen_who_chose_english_reads_the_call_in_english():
    m = render("ticket_called", "en-US", number="B007", counter=5, site="MPP Lahat")
    assert m.subject == "Queue number B007 is being called"
    assert "counter 5" in m.body


def test_booking_reminder_shows_code_service_place_and_time_and_a_cancel_link_when_given():
    params = dict(code="BK-7Q2M", service="Perekaman KTP-el", site="MPP Lahat", date="03-03-2026",
                  time="09:30 WIB")
    plain = render(Kind.booking_reminder, **params)
    assert all(v in plain.body for v in params.values())
    assert "Batalkan" not in plain.body
    with_link = render(Kind.booking_reminder, "id", cancel_link="https://mpp.example/b/BK-7Q2M", **params)
    assert with_link.body.endswith("Batalkan: https://mpp.example/b/BK-7Q2M")


def test_application_status_change_names_the_new_status_and_optional_note():
    m = render(Kind.application_status_changed, number="PRM-001", service="Izin Usaha", status="Selesai",
               note="Dokumen dapat diambil di loket 4.")
    assert m.subject == "Permohonan PRM-001: Selesai"
    assert "sekarang: Selesai" in m.body and "Keterangan: Dokumen dapat diambil di loket 4." in m.body


def test_an_unknown_language_falls_back_to_indonesian():
    assert render(Kind.ticket_called, "jv", number="A1", counter=1, site="X").subject.startswith("Nomor antrean")


def test_a_template_missing_a_value_fails_loudly_instead_of_sending_braces():
    with pytest.raises(ValueError, match="counter"):
        render(Kind.ticket_called, number="A1", site="X")


def test_every_kind_has_both_languages_with_the_same_placeholders():
    import string

    def fields(t):
        return {n for text in (t.subject, t.body) for _, n, _, _ in string.Formatter().parse(text) if n}

    for kind in Kind:
        assert set(TEMPLATES[kind]) == {"id", "en"}
        assert fields(TEMPLATES[kind]["id"]) == fields(TEMPLATES[kind]["en"])
        assert set(TEMPLATES[kind]["id"].optional) == set(TEMPLATES[kind]["en"].optional)
