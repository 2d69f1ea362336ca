"""Print typography per language: French spaces and guillemets, curly quotes, "1er", long dates."""

from datetime import date

import pytest

from survey_app.core.typography import NBSP, NNBSP, long_date, quoted, typeset


def test_french_punctuation_takes_no_break_spaces():
    text = typeset('Public interrogé : l\'équipe ; vraiment ? oui ! "Bien" 1 234 personnes, 100 %', "fr")
    assert text == (
        f"Public interrogé{NBSP}: l’équipe{NNBSP}; vraiment{NNBSP}? oui{NNBSP}! «{NBSP}Bien{NBSP}» "
        f"1{NNBSP}234 personnes, 100{NBSP}%"
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_dutch_and_english_take_curly_quotes_and_keep_their_spaces(language):
    assert typeset('Hij zei "ja" : it\'s ok ?', language) == "Hij zei “ja” : it’s ok ?"


def test_quoted_uses_the_marks_of_the_language():
    assert quoted(" Merci ", "fr") == f"«{NBSP}Merci{NBSP}»"
    assert quoted("Thanks", "en") == "“Thanks”" and quoted("Dank je", "nl") == "“Dank je”"


def test_typeset_is_idempotent():
    once = typeset('« Bien » : "oui" ?', "fr")
    assert typeset(once, "fr") == once


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", f"1er{NBSP}décembre 2025"), ("nl", f"1{NBSP}december 2025"), ("en", f"December{NBSP}1, 2025")],
)
def test_first_of_the_month(language, expected):
    assert long_date(date(2025, 12, 1), language) == expected


def test_other_days_have_no_ordinal():
    assert long_date(date(2026, 3, 21), "fr") == f"21{NBSP}mars 2026"
    assert long_date(date(2026, 3, 11), "fr") == f"11{NBSP}mars 2026"
