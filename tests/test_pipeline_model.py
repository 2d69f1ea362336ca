"""The pipeline's records (pipeline/model.py): built as plain slots classes, yet equal, hashable and
picklable by value as frozen dataclasses are (mypy rejects assignments to their fields: make check)."""

from __future__ import annotations

import pickle
from dataclasses import fields, is_dataclass, replace

import pytest

from pipeline import model
from pipeline.model import IndicatorSums, IndicatorValue, OptionCount


def _value(**changes) -> IndicatorValue:
    row = IndicatorValue(1, 2, "workers", "indicator", "autonomy", "workers", 1, False, None, 12, 61.5)
    return replace(row, **changes)


def test_records_are_equal_and_hash_by_their_fields():
    assert _value() == _value() and hash(_value()) == hash(_value())
    assert _value(mean=61.6) != _value()
    assert len({_value(), _value(), _value(n=13)}) == 2


def test_records_keep_no_instance_dict():
    # slots: no per-record dict (memory), and an unknown attribute cannot be set by a typo
    with pytest.raises(AttributeError):
        _value().means = 3.0  # type: ignore[attr-defined]


def test_records_survive_pickling_to_the_scoring_helper():
    rows = [_value(), OptionCount("q1", 3.0, None, 7), IndicatorSums("autonomy", 12, 5, 9, 2, (1, 2), {"low": 3})]
    assert pickle.loads(pickle.dumps(rows)) == rows


def test_every_record_of_the_module_is_one():
    records = [v for v in vars(model).values() if isinstance(v, type) and is_dataclass(v)]
    assert len(records) >= 10
    for cls in records:
        assert "__slots__" in vars(cls), cls
        assert cls.__hash__ is not None, cls  # hashable by value, as a frozen dataclass
        assert [f.name for f in fields(cls)], cls
