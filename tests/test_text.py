"""The one text rule: C0 control characters other than tab, CR and LF are refused, with the field named."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from satupintu.catalogue.schemas import ServiceIn, SiteIn
from satupintu.feedback.schemas import SurveyIn
from satupintu.text import first_text_problem, replace_forbidden, text_problem

REFUSED = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]


@pytest.mark.parametrize("char", REFUSED)
def test_every_c0_control_character_but_tab_cr_lf_is_refused_and_named_by_its_code_point(char):
    problem = text_problem(f"Saran{char}baik")
    assert problem is not None and f"U+{ord(char):04X}" in problem


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=REFUSED)))
def test_any_other_text_passes_the_rule_and_is_not_changed_for_export(text):
    assert text_problem(text) is None
    assert replace_forbidden(text) == text


def test_a_lone_surrogate_from_a_json_escape_is_refused():
    assert "U+D800" in text_problem("abc\ud800")


def test_the_first_problem_is_found_in_nested_values_and_dictionary_keys():
    assert first_text_problem({"a": ["ok", "b\x1bc"]}, "x")[0] == "x.a.1"
    assert first_text_problem({"ku\x00nci": 1}, "answers")[0] == "answers"
    assert first_text_problem({"a": [1, None, "baik\tsekali\r\n"]}) is None


def test_every_input_shape_refuses_a_control_character_naming_the_field():
    with pytest.raises(ValidationError) as err:
        SurveyIn.model_validate({"answers": {}, "suggestion": "Antrian \x1b[31m rapi"})
    e = err.value.errors()[0]
    assert e["type"] == "control_character" and e["loc"] == ("suggestion",) and "'suggestion'" in e["msg"]
    with pytest.raises(ValidationError) as err:
        ServiceIn.model_validate({"code": "A-1", "agency": "DKC", "name": "Akta", "requirements": ["KTP", "K\x07K"]})
    assert err.value.errors()[0]["loc"] == ("requirements",) and "requirements.1" in err.value.errors()[0]["msg"]
    with pytest.raises(ValidationError) as err:
        SiteIn.model_validate({"code": "ab", "name": "Mal", "closed_dates": [{"date": "2026-01-01", "reason": "\x01"}]})
    assert err.value.errors()[0]["loc"] == ("closed_dates", 0, "reason")

