"""A recording progress hook for tests, and the rule every hook's calls must follow."""

from __future__ import annotations


class Calls:
    """A :data:`graphsvc.progress.Progress` hook that keeps every ``(done, total)`` it is called with."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.seen.append((done, total))

    def checked(self) -> tuple[int, int]:
        """The last call, after checking the rule: ``done`` never decreases nor passes the total, and the
        last call has ``done == total``."""
        assert self.seen, "the hook was never called"
        dones = [done for done, _ in self.seen]
        assert dones == sorted(dones), f"done went back: {self.seen}"
        assert all(0 <= done <= total for done, total in self.seen), self.seen
        done, total = self.seen[-1]
        assert done == total, f"ended at {done} of {total}"
        return done, total


class StageCalls:
    """A :data:`graphsvc.progress.Stages` hook: each stage's name, and a :class:`Calls` for it."""

    def __init__(self) -> None:
        self.stages: dict[str, Calls] = {}

    def __call__(self, name: str) -> Calls:
        assert name not in self.stages, f"stage {name!r} started twice"
        self.stages[name] = Calls()
        return self.stages[name]
