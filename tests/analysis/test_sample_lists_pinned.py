"""The sample district's lists are the ones pinned in ``data/sample_lists.json`` (written by
``scripts/pin_sample_lists.py`` before issue 26's speed work): a change made for speed must change no answer --
not a partner, an order, a score, a gain, a probability, a reason or an "other" (numbers to 9 decimals)."""

from __future__ import annotations

import json

from tests.analysis.pinned_lists import PINNED, digest, pinned_form, sample_lists


def test_the_lists_are_the_pinned_ones() -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    lists = sample_lists()
    now = pinned_form(lists)
    assert now["model"] == pinned["model"], "the link model selected on the sample changed"
    assert set(now) == set(pinned), "the rank modes changed: pin the lists again (scripts/pin_sample_lists.py)"
    for mode in sorted(set(now) - {"model"}):
        assert set(now[mode]) == set(pinned[mode]), f"{mode}: the communities listed changed"
        moved = {c: (pinned[mode][c][0], now[mode][c][0]) for c in now[mode] if now[mode][c][0] != pinned[mode][c][0]}
        assert not moved, f"{mode}: {len(moved)} lists changed partners or order, e.g. {next(iter(moved.items()))}"
        changed = [c for c in now[mode] if now[mode][c][1] != pinned[mode][c][1]]
        assert not changed, (
            f"{mode}: {len(changed)} lists kept their partners but changed a number, a reason or an other, "
            f"e.g. {changed[0]}: {json.dumps(lists[mode][changed[0]], ensure_ascii=False)[:1500]}"
        )


def test_the_digest_sees_a_last_decimal() -> None:
    entry = {"list": [["p", 0.123456789, 1.0, 0.5, ["gap:health"]]], "others": [], "expected_gain": 1.0}
    changed = json.loads(json.dumps(entry))
    changed["list"][0][1] = 0.123456788
    assert digest(entry) != digest(changed)
    assert digest(entry) == digest(json.loads(json.dumps(entry)))
