"""The bundled framework and questionnaires: complete, small, covering, and version-protected."""

import pytest

from survey_app.questionnaire.loader import QuestionnaireError
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, load_files, register
from survey_app.storage.db import connect
from tests.app_support import NOW

BUNDLED = ("beneficiaries", "workers", "partners")


@pytest.fixture(scope="module")
def loaded():
    framework, questionnaires = load_files(QUESTIONNAIRES_DIR)
    return framework, {q.id: q for q in questionnaires}


def all_texts(q):
    yield q.title
    yield q.intro
    for section in q.sections:
        yield section.title
    for question in q.questions:
        yield question.label
        if question.hint:
            yield question.hint
        for option in question.options:
            yield option.label


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_questionnaire_is_complete_and_short(loaded, name):
    _, questionnaires = loaded
    q = questionnaires[name]
    assert q.stakeholder_group == name and q.languages == ("fr", "nl", "en")
    assert len(q.questions) <= 12
    assert 1 <= len(q.sections) <= 3
    for texts in all_texts(q):
        assert all(texts.get(lang, "").strip() for lang in ("fr", "nl", "en")), texts
    types = [x.type for x in q.questions]
    assert types.count("nps") == 1 and "text" in types
    assert any(x.reverse for x in q.questions)
    assert any(x.show_if for x in q.questions)


def test_bundled_questionnaires_cover_the_framework(loaded):
    framework, questionnaires = loaded
    covered = {x.indicator for q in questionnaires.values() for x in q.questions if x.indicator}
    assert covered == {i.id for i in framework.indicators}
    assert [d.id for d in framework.dimensions] == ["individual", "work", "service", "territory", "society"]


def test_registration_is_idempotent_and_refuses_silent_edits(tmp_path, migrated_copy):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for name in ("framework", "workers"):
        (folder / f"{name}.toml").write_text((QUESTIONNAIRES_DIR / f"{name}.toml").read_text())
    db = connect(migrated_copy(tmp_path / "q.db"))
    register(db, folder, NOW)
    register(db, folder, NOW)
    assert db["questionnaire"].count == 1
    workers = folder / "workers.toml"
    workers.write_text(workers.read_text().replace("version = 1", "version = 1\n# a comment only"))
    register(db, folder, NOW)  # comments and layout are not content
    workers.write_text(workers.read_text().replace("estimated_minutes = 4", "estimated_minutes = 6"))
    with pytest.raises(QuestionnaireError) as excinfo:
        register(db, folder, NOW)
    message = str(excinfo.value)
    assert "workers.toml: questionnaire 'workers' version 1: this version is already registered" in message
    assert "Fix: set version = 2" in message
    workers.write_text(workers.read_text().replace("version = 1", "version = 2"))
    registry = register(db, folder, NOW)
    assert db["questionnaire"].count == 2
    # The old version stays available for the campaigns that use it, rebuilt from the database.
    assert registry.get("workers", 1).estimated_minutes == 4
    assert registry.latest("workers").version == 2
    db.close()


@pytest.mark.parametrize("name", BUNDLED)
def test_the_sql_line_of_every_item_gives_its_score(loaded, name):
    """score_line() feeds the SQL of the pipeline and of the channel breakdown: it must be score()."""
    scored = [q for q in loaded[1][name].questions if q.scored and q.indicator]
    assert any(q.reverse for q in scored)
    for question in scored:
        slope, base = question.score_line()
        low, high = question.scale_range()
        for value in (low, (low + high) / 2, high):
            assert base + slope * value == pytest.approx(question.score(value), abs=1e-9), question.id
