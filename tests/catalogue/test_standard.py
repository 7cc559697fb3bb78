"""Service standard rules: what must be filled in before the public sees a service."""

from hypothesis import given
from hypothesis import strategies as st

from satupintu.catalogue.standard import (
    COMPONENTS,
    format_rupiah,
    format_time,
    parse_time_unit,
    publish_problems,
    standard_problems,
)

COMPLETE = {
    "requirements": ["Fotokopi KTP-el"], "procedure": ["Ambil nomor antrian", "Serahkan berkas"],
    "time_value": 1, "time_unit": "working_days", "fee": 0, "fee_legal_basis": "",
    "product": "Akta Kelahiran", "complaint_channel": "Kotak pengaduan di MPP",
}


def test_there_are_fourteen_components_six_of_them_for_delivery():
    assert len(COMPONENTS) == 14
    assert [c.key for c in COMPONENTS if c.delivery] == [
        "requirements", "procedure", "time", "fee", "product", "complaint_channel"]


def test_a_complete_free_service_can_be_published():
    assert publish_problems(COMPLETE) == []


def test_an_empty_service_names_each_missing_delivery_component():
    fields = {p.field for p in publish_problems({})}
    assert fields == {"requirements", "procedure", "time_value", "fee", "product", "complaint_channel"}


def test_a_paid_service_needs_the_legal_basis_of_its_fee():
    problems = publish_problems(dict(COMPLETE, fee=50_000))
    assert [p.field for p in problems] == ["fee_legal_basis"]


def test_a_time_without_its_unit_is_refused_even_for_drafts():
    assert [p.field for p in standard_problems({"time_value": 3})] == ["time_unit"]
    assert [p.field for p in standard_problems({"time_unit": "minutes"})] == ["time_value"]


def test_negative_fee_and_absurd_times_are_refused():
    assert [p.field for p in standard_problems({"fee": -1})] == ["fee"]
    assert [p.field for p in standard_problems({"time_value": 2000, "time_unit": "minutes"})] == ["time_value"]


def test_messages_are_indonesian():
    assert "wajib diisi" in publish_problems({})[0].message


@given(st.sampled_from(["menit", "Menit", "minutes", "hari kerja", "Hari  Kerja", "working_days", "HK"]))
def test_time_units_are_read_the_way_staff_write_them(word):
    assert parse_time_unit(word) in ("minutes", "working_days")


def test_unknown_time_unit_is_none():
    assert parse_time_unit("jam") is None


def test_display_formats():
    assert format_rupiah(0) == "Gratis"
    assert format_rupiah(150000) == "Rp150.000"
    assert format_time(14, "working_days") == "14 hari kerja"
    assert format_time(30, "minutes", "en") == "30 minutes"


@given(st.dictionaries(st.sampled_from(list(COMPLETE)), st.none() | st.integers(-5, 5000) | st.text(max_size=5)))
def test_publish_problems_always_include_draft_problems(changes):
    std = dict(COMPLETE)
    for k, v in changes.items():
        if k in ("requirements", "procedure"):
            std[k] = [] if v in (None, "") else [str(v)]
        elif k in ("time_value", "fee"):
            std[k] = v if isinstance(v, int) or v is None else None
        elif k == "time_unit":
            std[k] = None if v is None else "minutes"
        else:
            std[k] = "" if v is None else str(v)
    draft = {(p.field, p.message) for p in standard_problems(std)}
    publish = {(p.field, p.message) for p in publish_problems(std)}
    assert draft <= publish
