"""Write the sample district's lists, as they are today, to ``tests/analysis/data/sample_lists.json``: every rank
mode's list (and others) of every community, with scores, gains, probabilities and reason codes.

``tests/analysis/test_sample_lists_pinned.py`` compares the lists of the code under test with this file, so a
change made for speed that changes an answer fails there. Run this only when a change is meant to change the
lists, and say why in the commit:

    PYTHONPATH=. python3 scripts/pin_sample_lists.py
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.analysis.pinned_lists import PINNED, pinned_form, sample_lists

text = json.dumps(pinned_form(sample_lists()), sort_keys=True)
PINNED.write_text(text.replace('"], "com-', '"],\n"com-') + "\n", encoding="utf-8")  # a community a line
print(f"wrote {PINNED}")
