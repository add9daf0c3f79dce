"""Seattle weather on the real file: splits by time, no dates in inputs, rain from precipitation, bad files."""

from __future__ import annotations

import pandas as pd
import pytest

from llm_as_rnn.tasks import DataError, get_task
from llm_as_rnn.tasks.weather import RAIN_THRESHOLD_MM, WeatherTask, load_daily, seattle_weather_path


def test_the_shipped_file_loads_with_rain_derived_from_precipitation():
    daily = load_daily().to_pandas()
    assert len(daily) == 1461
    assert ((daily["precipitation"] >= RAIN_THRESHOLD_MM) == (daily["rain"] == "yes")).all()


def test_splits_are_disjoint_in_time(weather_task):
    years = {}
    for split in ("train", "dev", "test"):
        seqs = weather_task.sequences(split, steps=10)
        years[split] = {s.steps[i].context["target_date"][:4] for s in seqs for i in range(10)}
    assert years == {"train": {"2012", "2013"}, "dev": {"2014"}, "test": {"2015"}}


def test_inputs_carry_no_dates_and_targets_are_next_day(weather_task):
    sequence = weather_task.sequences("test", limit=1, steps=3)[0]
    daily = load_daily().to_pandas().set_index("date")
    for step in sequence.steps:
        assert "2015" not in step.input and "2014" not in step.input
        rows = step.input.splitlines()[2:-1]
        assert [r.split()[0] for r in rows] == ["-6", "-5", "-4", "-3", "-2", "-1", "0"]  # oldest first
        today = step.input.splitlines()[-1]
        assert today.startswith("Today (day 0): temp_max ") and f"{step.context['today_temp_max']:.1f} °C" in today
        assert f"(rain: {step.context['today_rain']})" in today
        assert step.target["temp_max"] == daily.loc[step.context["target_date"], "temp_max"]
        assert step.context["today_temp_max"] == daily.loc[step.context["date"], "temp_max"]
        assert pd.Timestamp(step.context["target_date"]) - pd.Timestamp(step.context["date"]) == pd.Timedelta(days=1)


def test_episodes_are_consecutive_and_evenly_spread(weather_task):
    seqs = weather_task.sequences("test", limit=5, steps=10)
    assert len(seqs) == 5 and all(len(s) == 10 for s in seqs)
    months = {s.steps[0].context["date"][5:7] for s in seqs}
    assert len(months) >= 4


def test_newest_first_order_is_available():
    step = WeatherTask(newest_first=True).sequences("test", limit=1, steps=1)[0].steps[0]
    assert step.input.splitlines()[2].split()[0] == "0" and step.input.splitlines()[-1].startswith("Today")


def test_the_hint_line_states_the_anchor_forecast_and_sees_no_future_value(tmp_path):
    pytest.importorskip("statsforecast")
    from llm_as_rnn.anchors.registry import anchor_predictions

    task = WeatherTask(hint="auto_arima")
    sequence = task.sequences("test", limit=1, steps=3)[0]
    anchor = anchor_predictions(task, "auto_arima", sequence)
    for step, forecast in zip(sequence.steps, anchor, strict=True):
        last = step.input.splitlines()[-1]
        assert last == (f"A statistical model (AutoARIMA, from the daily temp_max series up to today) forecasts "
                        f"tomorrow's temp_max {forecast['temp_max']:.1f} °C.")
        assert step.input.splitlines()[-2].startswith("Today (day 0)")
    # Causal: every day after the first step's day rewritten to 99 °C leaves that step's hint unchanged.
    frame = pd.read_csv(seattle_weather_path())
    first_day = sequence.steps[0].context["date"]
    frame.loc[pd.to_datetime(frame["date"]) > pd.Timestamp(first_day), "temp_max"] = 99.0
    frame.to_csv(tmp_path / "future.csv", index=False)
    tampered = WeatherTask(hint="auto_arima", path=tmp_path / "future.csv").sequences("test", limit=1, steps=3)[0]
    assert tampered.id == sequence.id
    assert tampered.steps[0].input == sequence.steps[0].input
    assert tampered.steps[1].input != sequence.steps[1].input  # the tampered day is in step 1's window


def test_no_hint_line_by_default_and_an_unknown_hint_is_refused(weather_task):
    step = weather_task.sequences("test", limit=1, steps=1)[0].steps[0]
    assert step.input.splitlines()[-1].startswith("Today (day 0)")
    with pytest.raises(ValueError, match="unknown weather hint 'oracle'"):
        WeatherTask(hint="oracle")


def test_registry_and_bad_split():
    assert isinstance(get_task("weather"), WeatherTask)
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        get_task("nope")
    with pytest.raises(ValueError, match="unknown split"):
        WeatherTask().sequences("validation")


def _write(tmp_path, text):
    path = tmp_path / "weather.csv"
    path.write_text(text)
    return path


def test_bad_value_names_file_row_and_field(tmp_path):
    good = seattle_weather_path().read_text().splitlines()
    lines = good[:5]
    lines[3] = lines[3].replace(lines[3].split(",")[2], "hot", 1)
    path = _write(tmp_path, "\n".join(lines))
    with pytest.raises(DataError, match=r"weather.csv, row 4, field 'temp_max': not a finite number: 'hot'"):
        load_daily(path)


def test_missing_column_and_missing_file(tmp_path):
    path = _write(tmp_path, "date,precipitation,temp_max\n2012-01-01,0,1\n")
    with pytest.raises(DataError, match=r"missing column\(s\) \['temp_min', 'wind'\]"):
        load_daily(path)
    with pytest.raises(DataError, match="file not found"):
        load_daily(tmp_path / "absent.csv")


def test_gap_in_days_is_reported(tmp_path):
    text = "date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,0,1,0,1,sun\n2012-01-03,0,1,0,1,sun\n"
    with pytest.raises(DataError, match="not consecutive at 2012-01-03"):
        load_daily(_write(tmp_path, text))
