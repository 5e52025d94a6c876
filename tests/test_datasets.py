import importlib.util
import json
from collections import Counter
from pathlib import Path

from skbalance import load_support_tickets
from skbalance._datasets import support_tickets_path

ROOT = Path(__file__).resolve().parents[1]


def test_support_tickets_prior_locales_and_duplicates():
    records = load_support_tickets()
    assert [list(r) for r in records[:1]] == [["id", "text", "label", "locale"]]
    labels = Counter(r["label"] for r in records)
    assert labels == {"billing": 500, "technical": 300, "account": 150, "other": 50}
    gb = Counter(r["label"] for r in records if r["locale"] == "en-GB")
    assert gb == {"billing": 50, "technical": 30, "account": 15, "other": 5}
    assert len({r["id"] for r in records}) == 1000
    texts = Counter(r["text"] for r in records)
    assert sum(n - 1 for n in texts.values() if n > 1) == 12
    assert all("$" not in r["text"] for r in records if r["locale"] == "en-GB")


def test_return_X_y_matches_records():
    records = load_support_tickets()
    texts, labels = load_support_tickets(return_X_y=True)
    assert texts == [r["text"] for r in records]
    assert labels == [r["label"] for r in records]


def test_bundled_file_is_what_the_generator_makes():
    spec = importlib.util.spec_from_file_location(
        "make_support_tickets", ROOT / "tools" / "make_support_tickets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = "".join(
        json.dumps(row, ensure_ascii=False) + "\n" for row in module.generate()
    )
    assert support_tickets_path().read_text(encoding="utf-8") == expected
