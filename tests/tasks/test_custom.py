"""Your own data: CSV, JSONL and HF datasets directories, and every broken-file error naming file/row/field."""

from __future__ import annotations

import json

import pytest

from llm_as_rnn.tasks import DataError, get_task

ROWS = [{"store": f"s{s}", "week": w, "promo": w % 2, "units": 10.0 + w + s} for s in range(10) for w in range(4)]


def _spec(tmp_path, data: str, **extra):
    spec = {"data": data, "sequence_id": "store", "order": "week", "inputs": ["promo"], "target": "units",
            "kind": "regression", **extra}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def _csv(tmp_path, rows=ROWS, name="sales.csv"):
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(r[h]) for h in header) for r in rows]
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return name


def test_csv_jsonl_and_datasets_dir_give_the_same_sequences(tmp_path):
    import datasets

    (tmp_path / "sales.jsonl").write_text("\n".join(json.dumps(r) for r in reversed(ROWS)))
    datasets.Dataset.from_list(ROWS).save_to_disk(str(tmp_path / "sales_ds"))
    loaded = {}
    for data in (_csv(tmp_path), "sales.jsonl", "sales_ds"):
        task = get_task("custom", spec=_spec(tmp_path, data))
        loaded[data] = [(s.id, [(x.input, x.target) for x in s.steps])
                        for split in ("train", "dev", "test") for s in task.sequences(split)]
    assert loaded["sales.csv"] == loaded["sales.jsonl"] == loaded["sales_ds"]
    assert sum(len(v[1]) for v in loaded["sales.csv"]) == 40
    assert loaded["sales.csv"][0][1][0] == ("promo: 0", {"units": 10.0 + 0 + int(loaded["sales.csv"][0][0][-1])})


def test_split_column_and_labels(tmp_path):
    rows = [{**r, "split": "test" if r["store"] in ("s1", "s2") else "train",
             "trend": "up" if r["week"] % 2 else "down"} for r in ROWS]
    task = get_task("custom", spec=_spec(tmp_path, _csv(tmp_path, rows), split="split", target="trend",
                                         kind="label"))
    assert sorted(s.id for s in task.sequences("test")) == ["spec-s1", "spec-s2"]
    assert task.primary.labels == ("down", "up")
    assert task.correct({"trend": "up"}, {"trend": "up"}) is True


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda rows: rows.__setitem__(3, {**rows[3], "units": "lots"}), r"sales.csv, row 5, field 'units': not a finite"),
    (lambda rows: rows.__setitem__(2, {**rows[2], "week": 1}), r"row 4, field 'week': the same sequence has two rows"),
    (lambda rows: rows.__setitem__(0, {**rows[0], "store": ""}), r"row 2, field 'store': empty value"),
])
def test_bad_rows_are_named(tmp_path, mutate, message):
    rows = [dict(r) for r in ROWS]
    mutate(rows)
    task = get_task("custom", spec=_spec(tmp_path, _csv(tmp_path, rows)))
    with pytest.raises(DataError, match=message):
        task.sequences("test")


def test_bad_spec_and_bad_files(tmp_path):
    with pytest.raises(DataError, match="missing key 'target'"):
        (tmp_path / "s.json").write_text(json.dumps({"data": "x.csv", "sequence_id": "a", "order": "b",
                                                     "inputs": ["c"], "kind": "label"}))
        get_task("custom", spec=tmp_path / "s.json")
    with pytest.raises(DataError, match=r"missing column\(s\) \['promo'\]"):
        rows = [{k: v for k, v in r.items() if k != "promo"} for r in ROWS]
        get_task("custom", spec=_spec(tmp_path, _csv(tmp_path, rows))).sequences("test")
    (tmp_path / "bad.jsonl").write_text(json.dumps(ROWS[0]) + "\n{not json\n")
    with pytest.raises(DataError, match=r"bad.jsonl, row 2: not JSON"):
        get_task("custom", spec=_spec(tmp_path, "bad.jsonl")).sequences("test")
    with pytest.raises(DataError, match="spec file not found"):
        get_task("custom", spec=tmp_path / "absent.json")


def test_integer_inputs_stay_integers_in_the_prompt(tmp_path):
    """Bug: one missing value made pandas turn the whole column to float, so the model read "promo: 1.0" (and
    "promo: nan"). A missing value is now refused (tests/cli/test_user_errors.py); a whole column keeps its type."""
    data = tmp_path / "sales.jsonl"
    data.write_text("".join(f'{{"store": "s{i % 2}", "week": {i}, "promo": {i % 2}, "units": {i}.5}}\n'
                            for i in range(40)))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"data": str(data), "sequence_id": "store", "order": "week", "inputs": ["promo"],
                                "target": "units", "kind": "regression"}))
    task = get_task("custom", spec=str(spec))
    inputs = [step.input for split in ("train", "dev", "test") for s in task.sequences(split) for step in s.steps]
    assert inputs and all(text in ("promo: 0", "promo: 1") for text in inputs)
