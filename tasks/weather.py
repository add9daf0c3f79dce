"""Seattle daily weather (vega_datasets wheel, NOAA, 2012-2015): forecast tomorrow from the last days.

Rows are listed oldest first and end with an explicit line for today. Small models copy a value from the table
instead of reading today's: with the earlier newest-first table, Qwen2.5-Coder 0.5B/1.5B forecast yesterday-ish
values (zero-shot MAE 3.75 / 4.91 °C on 20 random 2015 days); oldest-first with a closing "Today" line gave 1.73 /
1.81 (persistence 1.72). `newest_first=True` restores the old layout (it suited SmolLM2-135M, which copies the
first row it reads).

The file's `weather` label column is wrong after 2012 (the upstream source stopped reporting precipitation
types), so rain is derived from precipitation (>= 1 mm). Inputs carry relative day indices and a coarse season,
never calendar dates, to limit what the model can recall from memorised history. Splits are by time: train
2012-2013, dev 2014, test 2015 (by the date of the predicted day).

`hint="auto_arima"` (or `"auto_ets"`) adds one line to every input: that statistical model's forecast for
tomorrow, fitted on the training years and fed the series up to today (exactly the anchor's number, so no future
value can reach it). Persistence reads only today; the hint gives every LLM method something persistence lacks,
and the question becomes whether memory can correct a good forecast rather than replace a bad one.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import datasets
import numpy as np
import pandas as pd

from llm_as_rnn.anchors import climatology, persistence, statistical
from llm_as_rnn.tasks.base import Anchor, Step, StepSequence, Target, Task, daily_blocks
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section
from llm_as_rnn.tasks.table import DataError, date_column, numeric_column, read_table

RAIN_THRESHOLD_MM = 1.0
ALIGN_TOLERANCE_C = 2.0
WINDOW_DAYS = 7
SPLIT_YEARS = {"train": (2012, 2013), "dev": (2014,), "test": (2015,)}
COLUMNS = ("date", "precipitation", "temp_max", "temp_min", "wind")
HINTS = {"auto_arima": "AutoARIMA", "auto_ets": "AutoETS"}
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}

WEATHER_SCHEMA = MemorySpec(
    (
        Section("patterns", "Patterns",
                "how tomorrow's values relate to the recent days in this sequence, with numbers"),
        Section("corrections", "Recent errors and corrections",
                "how your last predictions were off (too high or too low, by how much) and how to adjust"),
        Section("watch", "Watch-list", "what to check at the next step"),
    ),
    example={
        "patterns": ("<how tomorrow's values followed today's in this sequence, with the measured numbers>",),
        "corrections": ("<the sign and size of my forecast errors so far (see 'Sequence so far') and the "
                        "adjustment they call for>",),
        "watch": ("<a condition in today's input that should change the next forecast>",),
    },
)


def seattle_weather_path() -> Path:
    return Path(str(importlib.resources.files("vega_datasets") / "_data" / "seattle-weather.csv"))


def load_daily(path: str | Path | None = None) -> datasets.Dataset:
    """The daily table as an HF `datasets.Dataset`, checked, sorted, with the derived `rain` column."""
    path = Path(path) if path else seattle_weather_path()
    frame = read_table(path, required=COLUMNS)
    daily = pd.DataFrame({"date": date_column(frame, "date", path)})
    for column in COLUMNS[1:]:
        daily[column] = numeric_column(frame, column, path)
    if (daily["precipitation"] < 0).any():
        index = int((daily["precipitation"] < 0).to_numpy().nonzero()[0][0])
        raise DataError(path, "negative precipitation", row=index + 2, field="precipitation")
    daily = daily.sort_values("date").reset_index(drop=True)
    gaps = daily["date"].diff().dt.days.fillna(1)
    if (gaps != 1).any():
        index = int((gaps != 1).to_numpy().nonzero()[0][0])
        raise DataError(path, f"days are not consecutive at {daily['date'].iloc[index].date()}", field="date")
    daily["rain"] = np.where(daily["precipitation"] >= RAIN_THRESHOLD_MM, "yes", "no")
    daily["date"] = daily["date"].dt.strftime("%Y-%m-%d")
    return datasets.Dataset.from_pandas(daily, preserve_index=False)


class WeatherTask(Task):
    """Next-day maximum temperature (°C) and rain (precipitation >= 1 mm) from the last `window` days."""

    name = "weather"
    anchors: ClassVar[Mapping[str, Anchor]] = {
        "persistence": persistence.weather_persistence, "climatology": climatology.weather_climatology}
    primary_anchor = "persistence"
    table_metrics = ("temp_max.abs_error", "rain.correct", "align", "self_correction")
    series_column = "temp_max"
    split_years = SPLIT_YEARS
    correct_metric = "align"
    targets = (
        Target("temp_max", "regression", "tomorrow's maximum temperature", unit="°C", decimals=1, scale=2.0),
        Target("rain", "label", "will it rain tomorrow (precipitation of at least 1 mm)", labels=("yes", "no")),
    )

    def __init__(self, *, window: int = WINDOW_DAYS, newest_first: bool = False, hint: str | None = None,
                 path: str | Path | None = None):
        if window < 1:
            raise ValueError(f"weather window must be at least 1 day, got {window}")
        if hint is not None:
            if hint not in HINTS:
                raise ValueError(f"unknown weather hint {hint!r}; choose one of {', '.join(HINTS)}")
            if not statistical.available():
                raise ImportError(f"the {hint} hint needs statsforecast: pip install 'llm-as-rnn[classical]'")
        self.hint = hint
        self.window = window
        self.newest_first = newest_first
        self.path = path
        self.description = (
            f"Forecast tomorrow's weather in Seattle from the daily observations of the last {window} days "
            "(day 0 is today)."
        )

    @property
    def memory_spec(self) -> MemorySpec:
        return WEATHER_SCHEMA

    def correct(self, prediction, target) -> bool | None:
        """Align: the forecast matches the observed day — temp_max within 2 °C and the rain call right.

        The paper reports a weather "Align" score without a public definition; this is ours, stated here and in the
        results page: Align = 100 x the share of steps whose forecast is aligned in this sense.
        """
        if prediction is None:
            return False  # a failed forecast is a miss
        if prediction.get("temp_max") is None or prediction.get("rain") is None:
            return None  # a predictor that makes no rain call (an anchor) has no Align
        close = abs(float(prediction["temp_max"]) - float(target["temp_max"])) <= ALIGN_TOLERANCE_C
        return close and str(prediction["rain"]) == str(target["rain"])

    @functools.cached_property
    def daily(self) -> datasets.Dataset:
        return load_daily(self.path)

    def dataset(self, split: str, *, limit: int | None = None, steps: int = 10) -> datasets.Dataset:
        """Episodes of `split` as an HF dataset: one row per episode, one list entry per step."""
        self.check_split(split)
        frame = self.daily.to_pandas()
        blocks = daily_blocks(list(frame["date"]), window=self.window, steps=steps, years=SPLIT_YEARS[split],
                              limit=limit)
        return datasets.Dataset.from_list([self._episode(frame, block) for block in blocks])

    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        table = self.dataset(split, limit=limit, steps=steps or 10)
        return [
            StepSequence(
                id=row["sequence_id"],
                steps=tuple(Step(input=x, target=y, context=c)
                            for x, y, c in zip(row["inputs"], row["targets"], row["contexts"], strict=True)),
            )
            for row in table
        ]

    def _episode(self, frame: pd.DataFrame, block: list[int]) -> dict:
        inputs, targets, contexts = [], [], []
        hints = self._hints([str(frame["date"].iloc[d]) for d in block])
        for d, hint in zip(block, hints, strict=True):
            inputs.append(self.format_input(frame.iloc[d - self.window + 1:d + 1], hint=hint))
            tomorrow = frame.iloc[d + 1]
            targets.append({"temp_max": float(tomorrow["temp_max"]), "rain": str(tomorrow["rain"])})
            contexts.append({
                "date": str(frame["date"].iloc[d]),
                "target_date": str(tomorrow["date"]),
                "today_temp_max": float(frame["temp_max"].iloc[d]),
                "today_rain": str(frame["rain"].iloc[d]),
            })
        return {"sequence_id": f"weather-{frame['date'].iloc[block[0]]}", "inputs": inputs, "targets": targets,
                "contexts": contexts}

    def _hints(self, dates: list[str]) -> list[float | None]:
        """The hint model's forecast for the day after each date (None everywhere without a hint)."""
        if self.hint is None:
            return [None] * len(dates)
        return statistical.one_step_forecasts(self, self.hint, dates)

    def format_input(self, days: pd.DataFrame, *, hint: float | None = None) -> str:
        """Fixed decimals, one line per day, relative indices (day 0 = today), a coarse season; no dates; and
        today's observation stated again in words at the end, where a small model reads it. A hint value is
        stated after it, named as a statistical forecast (not as a fact)."""
        season = SEASONS[pd.Timestamp(days["date"].iloc[-1]).month]
        lines = [f"season: {season}", "day  temp_max  temp_min  precip_mm  wind_m_s"]
        rows = [
            f"{offset:>3}  {day['temp_max']:>8.1f}  {day['temp_min']:>8.1f}  {day['precipitation']:>9.1f}  "
            f"{day['wind']:>8.1f}"
            for offset, (_, day) in zip(range(1 - len(days), 1), days.iterrows(), strict=True)
        ]
        today = days.iloc[-1]
        rained = "yes" if today["precipitation"] >= RAIN_THRESHOLD_MM else "no"
        closing = (f"Today (day 0): temp_max {today['temp_max']:.1f} °C, temp_min {today['temp_min']:.1f} °C, "
                   f"precipitation {today['precipitation']:.1f} mm (rain: {rained}), wind {today['wind']:.1f} m/s.")
        hint_line = [] if hint is None else [
            f"A statistical model ({HINTS[self.hint]}, from the daily temp_max series up to today) forecasts "
            f"tomorrow's temp_max {hint:.1f} °C."]
        return "\n".join([*lines, *(rows[::-1] if self.newest_first else rows), closing, *hint_line])
