"""AutoARIMA and AutoETS (statsforecast): fitted once on the training years, then one-step forecasts that see the
series up to each step's day (`forward`, no refit). Regression targets only."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def available() -> bool:
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=8)
def _fitted(task: Any, model_name: str) -> tuple[Any, pd.Series]:
    from statsforecast.models import AutoARIMA, AutoETS

    frame = task.daily.to_pandas()
    series = pd.Series(frame[task.series_column].to_numpy(float), index=frame["date"])
    years = pd.to_datetime(frame["date"]).dt.year
    train = series[years.isin(task.split_years["train"]).to_numpy()].to_numpy()
    model = {"auto_arima": AutoARIMA, "auto_ets": AutoETS}[model_name](season_length=1)
    return model.fit(train), series


def one_step_forecasts(task: Any, model_name: str, dates: Sequence[str]) -> list[float]:
    """The model's forecast for the day after each of `dates`, from the series up to and including that date.
    Shared by the anchors and by a task's forecast hint (`WeatherTask(hint=...)`), so a hint is exactly the
    anchor's number."""
    model, series = _fitted(task, model_name)
    return [float(np.asarray(model.forward(y=series.loc[:date].to_numpy(), h=1)["mean"])[0]) for date in dates]


def _forecast(task: Any, sequence: Any, model_name: str) -> list[dict[str, Any]]:
    column = task.series_column
    values = one_step_forecasts(task, model_name, [step.context["date"] for step in sequence.steps])
    return [{column: round(value, 4)} for value in values]


def auto_arima(task: Any, sequence: Any) -> list[dict[str, Any]]:
    return _forecast(task, sequence, "auto_arima")


def auto_ets(task: Any, sequence: Any) -> list[dict[str, Any]]:
    return _forecast(task, sequence, "auto_ets")
