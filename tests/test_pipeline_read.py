"""The read step keeps parsed questionnaire and instrument sources from one run to the next."""

from __future__ import annotations

from pipeline import read
from survey_app.storage.db import write_transaction


def test_a_registered_source_is_parsed_once_and_a_changed_one_again(pipeline_db, monkeypatch):
    framework, first = read.load_questionnaires(pipeline_db)
    instruments = read.stored_instruments(pipeline_db, framework)
    assert instruments  # the shipped library is registered
    calls = []
    monkeypatch.setattr(read, "_PARSED", {})  # from cold, counting every parse
    original = read.parse_questionnaire

    def counting(text, label, framework):
        calls.append(label)
        return original(text, label, framework)

    counting.__qualname__ = original.__qualname__
    monkeypatch.setattr(read, "parse_questionnaire", counting)
    _, again = read.load_questionnaires(pipeline_db)
    assert len(calls) == len(first) and again == first
    _, cached = read.load_questionnaires(pipeline_db)
    assert len(calls) == len(first)  # nothing parsed again
    assert all(cached[key] is again[key] for key in again)
    key = sorted(first)[0]
    source = pipeline_db.execute("SELECT source FROM questionnaire WHERE id = ? AND version = ?", key).fetchone()[0]
    with write_transaction(pipeline_db):  # a changed text (tests only: a registered version never changes)
        pipeline_db.execute(
            "UPDATE questionnaire SET source = ? WHERE id = ? AND version = ?", [source + "\n# edited\n", *key]
        )
    _, edited = read.load_questionnaires(pipeline_db)
    assert len(calls) == len(first) + 1 and edited[key] is not cached[key]
    assert read.stored_instruments(pipeline_db, framework) == instruments
