"""`llm-rnn evaluate` end to end on real task data with a scripted LM: reports, resume, user errors."""

from __future__ import annotations

import json

import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from llm_as_rnn.tasks.clinical import ClinicalTask
from tests.scripted import scripted_lm

CLINICAL_LABELS = list(ClinicalTask().labels)[:2]  # answers must come from the train label set


def answer(call):
    if "summary" in call.fields:
        return {"summary": "it moved"}
    if call.role == "predict":
        values = {"temp_max": 10.0, "rain": "no", "return_pct": 0.0, "direction": "up", "units": 12.0,
                  "diagnoses": CLINICAL_LABELS}
        return {f: values[f] for f in call.fields}
    out = {f: ["a note"] for f in call.fields if f not in ("critique", "lesson")}
    out.update({f: "text" for f in call.fields if f in ("critique", "lesson")})
    return out


@pytest.fixture
def scripted(monkeypatch):
    lm, engine = scripted_lm(answer)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    return engine


def test_evaluate_writes_reports_and_resumes(scripted, tmp_path, capsys):
    out = tmp_path / "eval"
    argv = ["evaluate", "--tasks", "weather,finance,clinical", "--methods", "zero_shot,llm_as_rnn,llm_as_rnn:judge",
            "--episodes", "2", "--steps", "2", "--out", str(out)]
    assert main(argv) == 0
    for name in ("results.json", "results.csv", "results.md", "report.html", "plots/weather.png"):
        assert (out / name).is_file(), name
    markdown = (out / "results.md").read_text()
    for anchor in ("persistence (anchor)", "zero_return (anchor)", "repeat_previous (anchor)"):
        assert anchor in markdown
    assert "Memory trace" in (out / "report.html").read_text()
    assert markdown.startswith("Command: `llm-rnn evaluate --tasks weather,finance,clinical")
    provenance = json.loads((out / "results.json").read_text())["provenance"]
    assert provenance["command"].endswith(f"--out {out}") and provenance["commit"]
    assert provenance["written_by"] == {provenance["commit"]: 18}  # 3 tasks x 3 methods x 2 sequences
    assert "Paired differences to zero-shot" in markdown
    calls = len(scripted.calls)
    assert main(argv) == 0
    assert len(scripted.calls) == calls  # everything reused
    assert "18 reused" in capsys.readouterr().out


def test_unknown_task_method_and_missing_spec_are_user_errors(scripted, tmp_path, capsys):
    assert main(["evaluate", "--tasks", "stocks", "--out", str(tmp_path / "a")]) == 2
    assert "unknown task(s) ['stocks']" in capsys.readouterr().err
    assert main(["evaluate", "--tasks", "weather", "--methods", "rnn", "--out", str(tmp_path / "b")]) == 2
    assert "unknown method 'rnn'" in capsys.readouterr().err
    assert main(["evaluate", "--tasks", "custom", "--out", str(tmp_path / "c")]) == 2
    assert "needs --spec" in capsys.readouterr().err


def test_settings_mismatch_is_a_user_error(scripted, tmp_path, capsys):
    out = str(tmp_path / "eval")
    assert main(["evaluate", "--tasks", "weather", "--methods", "zero_shot", "--episodes", "1", "--steps", "2",
                 "--out", out]) == 0
    assert main(["evaluate", "--tasks", "weather", "--methods", "zero_shot", "--episodes", "1", "--steps", "3",
                 "--out", out]) == 2
    assert "other settings" in capsys.readouterr().err
    settings = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert settings["steps"] == 2


def test_tasks_and_methods_can_be_added_to_a_results_folder(scripted, tmp_path, capsys):
    out = str(tmp_path / "eval")
    common = ["--episodes", "1", "--steps", "2", "--out", out]
    assert main(["evaluate", "--tasks", "weather", "--methods", "zero_shot", *common]) == 0
    assert main(["evaluate", "--tasks", "weather,finance", "--methods", "zero_shot,llm_as_rnn", *common]) == 0
    assert "1 reused" in capsys.readouterr().out  # weather zero-shot was not run again
    settings = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert settings["tasks"] == ["finance", "weather"] and set(settings["task_options"]) == {"finance", "weather"}
    assert main(["evaluate", "--tasks", "finance", "--series", "nasdaq", "--methods", "zero_shot", *common]) == 2
    assert "task_options" in capsys.readouterr().err  # the same task with other data is refused


def test_the_weather_hint_reaches_the_prompt_and_is_a_setting_of_the_folder(scripted, tmp_path, capsys):
    pytest.importorskip("statsforecast")
    out = str(tmp_path / "eval")
    common = ["--tasks", "weather", "--methods", "zero_shot", "--episodes", "1", "--steps", "2", "--out", out]
    assert main(["evaluate", "--weather-hint", "auto_arima", *common]) == 0
    prompts = [c.user for c in scripted.calls_for("predict")]
    assert len(prompts) == 2 and all("A statistical model (AutoARIMA" in p for p in prompts)
    settings = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert settings["task_options"] == {"weather": {"hint": "auto_arima"}}
    assert main(["evaluate", *common]) == 2  # the same folder without the hint: other inputs, refused
    assert "task_options" in capsys.readouterr().err


def test_a_weather_hint_without_statsforecast_is_one_line_before_any_work(scripted, tmp_path, capsys, monkeypatch):
    from llm_as_rnn.tasks import registry

    monkeypatch.setattr(registry, "installed", lambda module: module != "statsforecast")
    assert main(["evaluate", "--tasks", "weather", "--weather-hint", "auto_arima", "--methods", "zero_shot",
                 "--out", str(tmp_path / "eval")]) == 2
    assert "--weather-hint auto_arima needs statsforecast" in capsys.readouterr().err
    assert scripted.calls == [] and not (tmp_path / "eval").exists()


def test_report_only_writes_what_finished_and_runs_nothing(scripted, tmp_path, capsys):
    out = tmp_path / "eval"
    common = ["--tasks", "weather", "--episodes", "2", "--steps", "2", "--out", str(out)]
    assert main(["evaluate", "--methods", "zero_shot", *common]) == 0
    settings = (out / "evaluation.json").read_text()
    (out / "sequences" / ".in-flight.json.tmp").write_text("{")  # another run still writing into the folder
    calls = len(scripted.calls)
    assert main(["evaluate", "--methods", "zero_shot,llm_as_rnn", "--report-only", *common]) == 0
    assert len(scripted.calls) == calls  # no LM call
    assert "2 unfinished (--report-only: not run), 2 already finished" in capsys.readouterr().out
    markdown = (out / "results.md").read_text()
    assert "`zero_shot`" in markdown and "Not scored (finished no sequence): ['llm_as_rnn']" in markdown
    assert "--report-only" in markdown  # the provenance line says how the report was made
    assert (out / "evaluation.json").read_text() == settings  # the folder's settings are not touched
    assert (out / "sequences" / ".in-flight.json.tmp").is_file()  # nor another run's files
    assert main(["evaluate", "--methods", "zero_shot", "--report-only", *common[:-2], "--steps", "3",
                 "--out", str(out)]) == 2  # other settings are still refused


def test_a_saved_program_is_evaluated_on_its_task(scripted, tmp_path):
    from llm_as_rnn.programs import LLMAsRNN
    from llm_as_rnn.programs.artifacts import save_program
    from llm_as_rnn.tasks import get_task

    program = LLMAsRNN(get_task("weather"), budget=96)
    program.updater.update.signature = program.updater.update.signature.with_instructions("Tuned instructions.")
    saved = save_program(program, tmp_path / "tuned")
    out = tmp_path / "eval"
    assert main(["evaluate", "--tasks", "weather,finance", "--methods", "zero_shot", "--program", str(saved),
                 "--episodes", "1", "--steps", "2", "--out", str(out)]) == 0
    markdown = (out / "results.md").read_text()
    weather, finance = markdown.split("### finance")
    assert "`saved:tuned`" in weather and "`saved:tuned`" not in finance
    assert any("Tuned instructions." in c.system for c in scripted.calls)


def test_a_method_that_finishes_no_sequence_leaves_the_other_rows_scored(scripted, tmp_path, monkeypatch):
    """Regression: one method failing on every sequence of a task emptied the shared set and crashed the report."""
    from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN

    original = LLMAsRNN.forward

    def broken_on_finance(self, *args, **kwargs):
        if self.task.name == "finance":
            raise RuntimeError("backbone went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LLMAsRNN, "forward", broken_on_finance)
    out = tmp_path / "eval"
    argv = ["evaluate", "--tasks", "weather,finance", "--methods", "zero_shot,llm_as_rnn",
            "--episodes", "2", "--steps", "2", "--out", str(out)]
    assert main(argv) == 1  # failures are reported, and everything else is written
    markdown = (out / "results.md").read_text()
    weather, finance = markdown.split("### finance")
    assert "`llm_as_rnn`" in weather
    assert "`llm_as_rnn`" not in finance and "`zero_shot`" in finance and "zero_return (anchor)" in finance
    assert "Not scored (finished no sequence): ['llm_as_rnn']" in finance
    assert len((out / "errors.jsonl").read_text().splitlines()) == 2


def test_a_custom_task_whose_spec_names_it_otherwise_gets_its_report(scripted, tmp_path):
    data = tmp_path / "sales.csv"
    rows = ["store,week,promo,units"] + [f"s{s},{w},{(s + w) % 2},{10 + s + w}" for s in range(10) for w in range(6)]
    data.write_text("\n".join(rows) + "\n")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "sales", "data": str(data), "sequence_id": "store", "order": "week",
                                "inputs": ["promo"], "target": "units", "kind": "regression"}))
    out = tmp_path / "eval"
    assert main(["evaluate", "--tasks", "custom", "--spec", str(spec), "--methods", "zero_shot",
                 "--episodes", "2", "--steps", "3", "--out", str(out)]) == 0
    assert "sales" in (out / "results.md").read_text() and (out / "report.html").is_file()


def test_a_method_on_its_own_backbone_is_loaded_once_and_reported_beside_the_others(monkeypatch, tmp_path):
    lm, _ = scripted_lm(answer)
    asked = []

    def from_strings(cls, predictor, *args, **kwargs):
        asked.append(predictor)
        return Roles(lm, lm, lm)

    monkeypatch.setattr(Roles, "from_strings", classmethod(from_strings))
    small = "llamacpp/qwen2.5-coder-0.5b-instruct"
    out = tmp_path / "eval"
    argv = ["evaluate", "--tasks", "weather", "--episodes", "2", "--steps", "2", "--out", str(out), "--methods",
            f"zero_shot,llm_as_rnn:measured,backbone={small},llm_as_rnn:shuffled_measured,backbone={small}"]
    assert main(argv) == 0
    assert asked == ["llamacpp/qwen2.5-coder-1.5b-instruct", small]  # each model string loaded once
    markdown = (out / "results.md").read_text()
    assert f"`llm_as_rnn:measured,backbone={small}`" in markdown
    assert "vs its shuffled control" in markdown  # the control on the same small backbone is found
    assert "runs on that backbone in every role instead" in markdown


def test_a_method_naming_the_main_backbone_runs_every_role_on_it_without_loading_it_twice(monkeypatch, tmp_path):
    from llm_as_rnn.cli.common import method_roles_loader

    predictor, critic = scripted_lm(answer)[0], scripted_lm(answer)[0]
    main_roles = Roles(predictor, critic, critic)
    args = type("Args", (), {"backbone": "llamacpp/qwen2.5-coder-1.5b-instruct"})()
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: pytest.fail("loaded again")))
    roles = method_roles_loader(args, main_roles)("llamacpp/qwen2.5-coder-1.5b-instruct")
    assert (roles.predictor, roles.critic, roles.updater) == (predictor, predictor, predictor)


def test_output_to_a_log_gets_a_line_per_finished_sequence_with_time_left(scripted, tmp_path, capsys):
    assert main(["evaluate", "--tasks", "weather", "--methods", "zero_shot", "--episodes", "2", "--steps", "2",
                 "--out", str(tmp_path / "eval")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert [line.split(" / ")[0] for line in lines] == ["[1/2] weather", "[2/2] weather"]
    assert all(" / zero_shot / weather-" in line and "finished;" in line and "min left" in line for line in lines)
