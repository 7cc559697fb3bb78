"""The instrument editing form, pure: what the overseer types comes back as the same instrument,
empty and removed rows are left out, and every problem is named by the box it belongs to on the
page (the posted row, not its place after the empty rows were dropped)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.errors import ValidationFailed
from satupintu.oversight import instrument_form as form
from satupintu.oversight.readiness import DEFAULT_INSTRUMENT, Instrument


def _pairs(rows: list[form.AspectRow], name: str = "Instrumen") -> list[tuple[str, str]]:
    pairs = [("name", name)]
    for a in rows:
        pairs += [(f"aspects[{a.index}].{k}", v) for k, v in a.values.items()]
        for ii, ind in a.indicators:
            pairs += [(f"aspects[{a.index}].indicators[{ii}].{k}", v) for k, v in ind.items()]
    return pairs


def _errors(pairs: list[tuple[str, str]]) -> dict[str, str]:
    parsed = form.parse(pairs)
    try:
        Instrument.from_dict(parsed.data)
        found = []
    except ValidationFailed as exc:
        found = exc.details
    return form.page_errors(found, parsed)


def test_the_default_instrument_comes_back_unchanged_from_its_form():
    parsed = form.parse(_pairs(form.rows_of(DEFAULT_INSTRUMENT.as_dict()), DEFAULT_INSTRUMENT.name))
    assert parsed.errors == []
    assert Instrument.from_dict(parsed.data) == DEFAULT_INSTRUMENT


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6),
       st.sampled_from([0.5, 0.75, 0.9, 1.0]), st.booleans())
def test_weights_typed_with_a_comma_or_a_point_read_the_same(weights, minimum, comma):
    total = sum(weights)
    data = {"name": "Uji", "aspects": [
        {"key": f"a{n}", "name": f"Aspek {n}", "weight": w * 100 / total, "indicators": [
            {"key": f"i{n}", "text": "Indikator", "weight": 100, "kind": "measured", "measure": "skm_index",
             "bands": [{"minimum": minimum, "score": 5}], "evidence": [{"key": "sk", "text": "SK"}], "target": 4}]}
        for n, w in enumerate(weights)]}
    rows = form.rows_of(data)
    if comma:
        for a in rows:
            a.values["weight"] = a.values["weight"].replace(".", ",")
    else:
        for a in rows:
            a.values["weight"] = a.values["weight"].replace(",", ".")
    parsed = form.parse(_pairs(rows, "Uji"))
    assert parsed.errors == []
    back = parsed.data["aspects"]
    assert [a["key"] for a in back] == [a["key"] for a in data["aspects"]]
    assert [a["weight"] for a in back] == pytest.approx([a["weight"] for a in data["aspects"]], rel=1e-4)
    assert back[0]["indicators"][0]["bands"] == [{"minimum": minimum, "score": 5}]


def test_a_removed_indicator_shifts_nothing_on_the_page():
    """The second indicator of Kebijakan Pelayanan is removed: the third's bad weight is still named
    as the third's box, and the aspect's sum beside its indicators."""
    rows = form.rows_of(DEFAULT_INSTRUMENT.as_dict())
    rows[0].indicators[1][1]["remove"] = "1"
    rows[0].indicators[2][1]["weight"] = "sepuluh"
    errors = _errors(_pairs(rows))
    assert errors["aspects[0].indicators[2].weight"] == "Harus berupa angka."
    assert "aspects[0].indicators[1].weight" not in errors


def test_sums_and_duplicates_are_named_beside_their_boxes_after_a_blank_aspect_was_dropped():
    rows = form.rows_of(DEFAULT_INSTRUMENT.as_dict())
    blank = rows.pop()  # the empty "new aspect" moved to the front: it is dropped, the rest keep their index
    rows.insert(0, form.AspectRow(99, blank.values, blank.indicators))
    rows[2].indicators[0][1]["key"] = rows[2].indicators[1][1]["key"]  # aspect 1: a duplicate indicator key
    rows[3].values["weight"] = "20"  # aspect 2: 15 -> 20, the aspects now sum to 105
    errors = _errors(_pairs(rows))
    assert errors["aspects"] == "Jumlah bobot aspek harus 100, sekarang 105."
    assert "dipakai lebih dari sekali" in errors["aspects[1].indicators[1].key"]


def test_bands_and_evidence_lines_that_cannot_be_read_say_how_to_write_them():
    rows = form.rows_of(DEFAULT_INSTRUMENT.as_dict())
    rows[0].indicators[0][1]["bands"] = "0,9 = 5\nsembilan puluh"
    rows[0].indicators[1][1]["evidence"] = "tanpa titik dua"
    errors = _errors(_pairs(rows))
    assert errors["aspects[0].indicators[0].bands"].startswith("Baris 2: tulis 'nilai minimum = skor'")
    assert errors["aspects[0].indicators[1].evidence"].startswith("Baris 1: tulis 'kode: bukti yang diminta'")


def test_a_new_indicator_typed_into_the_empty_row_joins_its_aspect():
    rows = form.rows_of(DEFAULT_INSTRUMENT.as_dict())
    inovasi = rows[5]
    ii, new = inovasi.indicators[-1]
    new.update(key="inovasi_dipublikasikan", text="Inovasi dipublikasikan", weight="20", kind="manual",
               evidence="publikasi: Tautan publikasi inovasi")
    inovasi.indicators[1][1]["weight"] = "20"  # 60 + 20 + 20
    parsed = form.parse(_pairs(rows))
    instrument = Instrument.from_dict(parsed.data)
    added = instrument.indicator("inovasi_dipublikasikan")
    assert added is not None and added[0].key == "inovasi" and added[1].evidence[0].key == "publikasi"
    assert parsed.indicators[5][-1] == ii


def test_rows_posted_show_what_was_typed_again():
    pairs = _pairs(form.rows_of(DEFAULT_INSTRUMENT.as_dict()))
    again = form.rows_posted(pairs)
    assert _pairs(again) == pairs
