"""The scoring helper's peak memory, as `pipeline.batch` logs it when a batch ends: the benchmarks
add it to the product process's own (the helper is part of the product)."""

from __future__ import annotations

import logging
import re


class HelperMemory(logging.Handler):
    """Keeps the largest peak memory that a scoring helper reported."""

    peak_mb = 0

    @classmethod
    def listen(cls) -> HelperMemory:
        handler = cls()
        logger = logging.getLogger("pipeline.batch")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"peak memory (\d+) MB", record.getMessage())
        if found:
            self.peak_mb = max(self.peak_mb, int(found.group(1)))
