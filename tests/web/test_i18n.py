"""Every text on every page is Indonesian by default and has an English translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir

import satupintu
from satupintu.web.i18n import catalogue, gettext

PACKAGE = Path(satupintu.__file__).parent


def page_messages() -> set[str]:
    found = extract_from_dir(str(PACKAGE), method_map=[("**/templates/**.html", "jinja2")], keywords={"_": None})
    return {msg for _file, _line, msg, _comments, _ctx in found if msg}


def test_templates_have_many_messages():
    assert len(page_messages()) > 80


def test_every_page_message_has_an_english_translation():
    english = catalogue("en")
    missing = sorted(m for m in page_messages() if not english.get(m))
    assert missing == []


def test_indonesian_is_the_source_and_unknown_languages_fall_back_to_it():
    assert gettext("id", "Jam layanan") == "Jam layanan"
    assert gettext("en", "Jam layanan") == "Opening hours"
    assert gettext("fr", "Jam layanan") == "Jam layanan"
