"""The sarana prasarana checklist: the measure, overdue items on the site's local date, checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from satupintu.oversight.facilities import (
    DEFAULT_FACILITIES,
    Category,
    Facility,
    FacilityRecord,
    FacilityStatus,
    check_catalogue,
    check_records,
    measure,
)

S = FacilityStatus
KEYS = [f.key for f in DEFAULT_FACILITIES]


def test_the_default_list_covers_the_issue_and_keys_are_unique():
    assert len(KEYS) == len(set(KEYS)) == 18
    assert {"ruang_laktasi", "ramp", "guiding_block", "toilet_disabilitas", "kursi_roda", "area_bermain_anak"} == {
        f.key for f in DEFAULT_FACILITIES if f.category is Category.vulnerable}
    assert check_catalogue(DEFAULT_FACILITIES) == []


def test_measure_by_hand():
    """18 facilities: 12 available (one, the toilet, without a photo), 2 partial (ramp, due 1 March;
    musala, no date), 1 missing with a due date (wifi, 5 March), CCTV not applicable, 2 not recorded
    (gerai_umkm, perbankan_atm).
    Applicable 17: (12 + 2 x 0.5) / 17. Vulnerable: 5 available + ramp partial: 5.5 / 6.
    At 16.30 UTC on 4 March it is already 5 March in WIT (UTC+9) but still 4 March in WIB:
    wifi is not overdue in either; ramp is overdue in both."""
    available = [k for k in KEYS[:11] if k != "ramp"] + ["parkir"]
    records = [FacilityRecord(k, S.available, photos=("p1",)) for k in available]
    records += [FacilityRecord("toilet", S.available),  # no photo
                FacilityRecord("ramp", S.partial, "baru di pintu utama", ("p2",), date(2026, 3, 1)),
                FacilityRecord("musala", S.partial),
                FacilityRecord("wifi", S.missing, due_on=date(2026, 3, 5)),
                FacilityRecord("cctv", S.not_applicable)]
    now = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)
    for tz in ("Asia/Jakarta", "Asia/Jayapura"):
        m = measure(records, now, tz)
        assert (m.applicable, m.available, m.partial, m.missing, m.not_applicable) == (17, 12, 2, 3, 1)
        assert m.available_share == 13 / 17 and m.vulnerable_share == 5.5 / 6
        assert m.overdue == ("ramp",)
        assert m.without_plan == ("musala", "perbankan_atm", "gerai_umkm")
        assert m.without_evidence == ("toilet", "musala")
    later = measure(records, datetime(2026, 3, 5, 15, 30, tzinfo=UTC), "Asia/Jayapura")  # 6 March WIT
    assert later.overdue == ("ramp", "wifi")
    assert measure(records, datetime(2026, 3, 5, 15, 30, tzinfo=UTC), "Asia/Jakarta").overdue == ("ramp",)


def test_nothing_applicable_gives_no_share():
    only = (Facility("ruang_tunggu", "Ruang tunggu", Category.service),)
    m = measure([FacilityRecord("ruang_tunggu", S.not_applicable)], datetime(2026, 3, 4, tzinfo=UTC), "Asia/Jakarta",
                only)
    assert m.available_share is None and m.vulnerable_share is None


def test_bad_records_name_their_field():
    errors = check_records([FacilityRecord("kolam_renang", S.available), FacilityRecord("toilet", S.available),
                            FacilityRecord("toilet", S.missing), FacilityRecord("wifi", S.available, "x" * 501,
                                                                                 tuple("abcdef"), date(2026, 1, 1))])
    assert [e.field for e in errors] == ["facilities[0].key", "facilities[2].key", "facilities[3].note",
                                         "facilities[3].photos", "facilities[3].due_on"]
    assert "tidak ada dalam daftar" in errors[0].message


def test_an_edited_catalogue_is_checked():
    errors = check_catalogue([Facility("a", "A", Category.support), Facility("a", "", Category.support),
                              Facility(" ", "B", Category.support)])
    assert [e.field for e in errors] == ["catalogue[1].key", "catalogue[1].name", "catalogue[2].key"]
