"""The methodology page names each validated instrument, its citation and its published scoring,
read from the declared scoring, and says that bands are screening information, not diagnoses."""

from __future__ import annotations

import html as html_lib


def page(signed_in, lang: str) -> str:
    text = signed_in("anna@example.org").get(f"/admin/methodology?lang={lang}").get_data(as_text=True)
    return html_lib.unescape(text)


def test_the_methodology_page_describes_every_instrument(world, signed_in):
    text = page(signed_in, "en")
    assert "Validated instruments" in text and "screening information for a group, not diagnoses" in text
    assert "Topp, C. W., Østergaard, S. D." in text  # WHO-5 citation
    assert (
        "WHO-5 percentage score (0 to 100). Score: the sum of the 5 answers multiplied by 4, from 0 to 100; "
        "only people who answered every question count." in text
    )
    assert "Bands: Very low well-being (28 or less); Poor well-being (29 to 50)" in text
    assert (
        "Rosenberg self-esteem score (0 to 30). Score: the sum of the 10 answers, from 0 to 30; people who "
        "answered at least 8 of the 10 questions count, their sum scaled up to all 10." in text
    )
    assert "UCLA loneliness score (3 to 9). Score: the sum of the 3 answers, from 3 to 9" in text
    assert "A higher score is less favourable, so the favourable share counts low scores." in text
    assert "Net score: the percentage of Promoters (9 or 10) minus the percentage of Detractors (0 to 6)." in text
    assert "Anxiety yesterday (0 to 10). Score: the answer itself, from 0 to 10" in text


def test_the_instrument_methodology_is_translated(world, signed_in):
    french = page(signed_in, "fr")
    assert "Instruments validés" in french and "pas des diagnostics" in french
    assert "Score WHO-5 en pourcentage (0 à 100). Score : la somme des 5 réponses multipliée par 4" in french
    dutch = page(signed_in, "nl")
    assert "Gevalideerde instrumenten" in dutch and "geen diagnoses" in dutch
    assert "WHO-5-score in procent (0 tot 100). Score: de som van de 5 antwoorden maal 4" in dutch
