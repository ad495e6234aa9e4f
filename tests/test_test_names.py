"""pytest imports test files by basename (rootdir mode, tests/ on the path): two test files with
the same name in tests/ and tests/browser/ make the whole collection fail."""

from collections import Counter
from pathlib import Path


def test_no_two_test_files_share_a_basename():
    names = Counter(p.name for p in Path(__file__).resolve().parent.rglob("*.py"))
    assert [n for n, k in names.items() if k > 1] == []
