"""The turns of a scoring batch on two processes (batch.py): which chunk is claimed next, how many
landed, and the few figures the helper reports back, in shared memory under one lock."""

from __future__ import annotations

from multiprocessing.context import BaseContext


class Turns:
    """Which chunk is claimed next and how many landed, shared by the two processes under one lock."""

    def __init__(self, context: BaseContext) -> None:
        self.changed = context.Condition()
        self.claimed = context.Value("q", 0, lock=False)
        self.landed = context.Value("q", 0, lock=False)
        self.scored = context.Value("q", 0, lock=False)
        self.helped = context.Value("q", 0, lock=False)  # chunks the helper landed
        self.helper_kb = context.Value("q", 0, lock=False)  # the helper's peak resident memory
        self.stop = context.Value("b", 0, lock=False)

    def claim(self, chunks: int) -> int | None:
        with self.changed:
            index = int(self.claimed.value)
            if index >= chunks or self.stop.value:
                return None
            self.claimed.value = index + 1
            return index

    def wait_for_turn(self, index: int, timeout: float | None = None) -> bool:
        """Whether every chunk below `index` landed (False on a timeout or a request to stop)."""
        with self.changed:
            self.changed.wait_for(lambda: self.landed.value == index or self.stop.value, timeout)
            return bool(self.landed.value == index and not self.stop.value)

    def landed_one(self, responses: int, by_helper: bool = False) -> int:
        with self.changed:
            self.landed.value += 1
            self.helped.value += by_helper
            self.scored.value += responses
            self.changed.notify_all()
            return int(self.scored.value)

    def stop_now(self) -> None:
        with self.changed:
            self.stop.value = 1
            self.changed.notify_all()
