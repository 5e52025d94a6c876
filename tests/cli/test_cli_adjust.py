"""``skbalance adjust``: a prior correction tuned on a validation file's
scores and applied to another file's, as a fine-tuned model's scores are
corrected without retraining."""

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skbalance import LogitAdjustedClassifier, per_class_report
from tests.cli.helpers import run

NAMES = np.array(["billing", "technical", "outage"])


@pytest.fixture(scope="module")
def model_and_data():
    X, y = make_classification(
        6000,
        n_classes=3,
        n_informative=4,
        weights=[0.85, 0.12, 0.03],
        class_sep=0.6,
        random_state=0,
    )
    labels = NAMES[y]
    model = LogisticRegression(max_iter=1000).fit(X[:3000], labels[:3000])
    return model, (X[3000:4500], labels[3000:4500]), (X[4500:], labels[4500:])


def _write(path, model, X, labels, *, kind="logprobs", with_labels=True):
    scores = model.predict_log_proba(X) if kind != "probs" else model.predict_proba(X)
    with open(path, "w") as fh:
        for i, row in enumerate(scores):
            record = {"id": i, "meta": {"src": "ft"}}
            if with_labels:
                record["label"] = labels[i]
            record["scores"] = dict(
                zip(model.classes_.tolist(), row.tolist(), strict=True)
            )
            fh.write(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize("kind", ["logprobs", "probs"])
def test_adjust_predicts_as_the_estimator_and_keeps_the_records(
    tmp_path, model_and_data, kind
):
    model, (X_val, y_val), (X_test, y_test) = model_and_data
    val = _write(tmp_path / "val.jsonl", model, X_val, y_val, kind=kind)
    test = _write(tmp_path / "test.jsonl", model, X_test, y_test, kind=kind)
    out = tmp_path / "out.jsonl"
    code, stdout, err = run("adjust", val, test, "--kind", kind, "-o", out)
    assert (code, err) == (0, "")
    expected = LogitAdjustedClassifier(model, cv="prefit").fit(X_val, y_val)
    written = [json.loads(line) for line in out.open()]
    originals = [json.loads(line) for line in test.open()]
    assert [r.pop("prediction") for r in written] == expected.predict(X_test).tolist()
    assert written == originals  # nothing else changed
    before = per_class_report(y_test, model.predict(X_test), labels=sorted(NAMES))
    after = per_class_report(y_test, expected.predict(X_test), labels=sorted(NAMES))
    assert f"tau {expected.best_tau_:g}, f1_macro {expected.best_score_:.3f}" in stdout
    assert (
        f"macro F1 {before.macro_f1:.3f} -> {after.macro_f1:.3f}, weighted F1 "
        f"{before.weighted_f1:.3f} -> {after.weighted_f1:.3f}\n"
    ) in stdout
    assert after.macro_f1 > before.macro_f1  # the rare classes gain recall
    changed = int(np.sum(model.predict(X_test) != expected.predict(X_test)))
    assert f"{test}: {changed} predictions changed\n" in stdout


def test_adjust_without_test_labels_reports_on_val_and_says_so(
    tmp_path, model_and_data
):
    model, (X_val, y_val), (X_test, _) = model_and_data
    val = _write(tmp_path / "val.jsonl", model, X_val, y_val)
    test = _write(tmp_path / "test.jsonl", model, X_test, None, with_labels=False)
    code, out, _ = run("adjust", val, test, "--json", "--tau", "1")
    assert code == 0
    report = json.loads(out)
    assert report["tau"] == 1.0 and report["tuned_score"] is None
    assert report["scored_on"] == f"{val} (in sample: tau was tuned there)"
    shares = {c: float(np.mean(y_val == c)) for c in NAMES}
    assert report["prior"] == pytest.approx(shares)


def test_adjust_takes_the_training_prior(tmp_path, model_and_data):
    model, (X_val, y_val), (X_test, y_test) = model_and_data
    val = _write(tmp_path / "val.jsonl", model, X_val, y_val)
    test = _write(tmp_path / "test.jsonl", model, X_test, y_test)
    prior = {"billing": 0.5, "technical": 0.3, "outage": 0.2}
    code, out, _ = run("adjust", val, test, "--json", "--prior", json.dumps(prior))
    assert code == 0
    assert json.loads(out)["prior"] == pytest.approx(prior)


def test_adjust_errors_name_the_file_line_and_field(tmp_path, capsys):
    good = {"label": "a", "scores": {"a": 0.9, "b": 0.1}}
    val = tmp_path / "val.jsonl"
    val.write_text(json.dumps(good) + "\n" + json.dumps({**good, "label": "b"}) + "\n")
    cases = [
        ({"label": "a", "scores": {"a": 0.9}}, "has classes ['a'], not those of"),
        ({"label": "a", "scores": [0.9, 0.1]}, "must be an object of class -> score"),
        ({"label": "c", "scores": {"a": 0.9, "b": 0.1}}, "label 'c' (--label label)"),
        ({"label": "a", "scores": {"a": 0.9, "b": "x"}}, "holds a score that is not"),
        ({"label": "a"}, "no field 'scores' (--scores)."),
    ]
    for record, message in cases:
        test = tmp_path / "test.jsonl"
        test.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n")
        code, _, err = run("adjust", val, test)
        assert code == 1
        assert err.startswith(f"skbalance adjust: error: {test}:2: ")
        assert message in err
    test.write_text(json.dumps({"label": "a", "scores": {"a": 1.5, "b": 0}}) + "\n")
    code, _, err = run("adjust", val, test, "--kind", "probs")
    assert (code, err) == (
        1,
        f"skbalance adjust: error: {test}: --kind probs, but a score is outside "
        "[0, 1]; use --kind logits or --kind logprobs.\n",
    )
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(good) + "\n")
    code, _, err = run("adjust", one, test)
    assert (code, err) == (
        1,
        f"skbalance adjust: error: {one}: every record has the label 'a'; the "
        "correction is tuned on a validation file with at least 2 classes.\n",
    )
    code, _, err = run("adjust", val, val, "--prior", '{"a": 1}')
    assert (code, err) == (
        2,
        "skbalance adjust: error: --prior: gives classes ['a']; the scores have "
        "['a', 'b'].\n",
    )
    capsys.readouterr()
    code, _, _ = run("adjust", val, val, "--prior", "[1, 2]")
    assert code == 2
    assert "argument --prior: expected a JSON object" in capsys.readouterr().err
    code, _, err = run("adjust", val, val, "--prior", '{"a": 1, "b": 0}')
    assert (code, err) == (
        2,
        "skbalance adjust: error: --prior: every share must be a positive number.\n",
    )
    code, _, err = run("adjust", val, val, "-o", val)
    assert code == 2 and "refusing to overwrite the input" in err
