"""The topical test rows (docs/validation.md §3) are current and are predictions (no fitted constant)."""
import os

import pytest

pytest.importorskip("dermasim._core")
from dermasim import validation_topical as vt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def rows():
    return vt.run()


def test_every_row_is_a_test_row_and_the_rule_is_applied(rows):
    assert len(rows) >= 8 and all(r.split == "test" for r in rows)
    for r in rows:
        if not r.qualitative:
            q = r.predicted / r.measured
            assert r.passed == (1 / vt.FACTOR <= q <= vt.FACTOR), r.id


def test_documented_table_is_current(rows):
    with open(os.path.join(ROOT, "docs", "validation.md"), encoding="utf-8") as f:
        assert vt.table(rows) in f.read()
