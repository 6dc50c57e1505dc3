"""What a measure is, and how a duration is measured: warm-up calls, then N timed runs, median and p95."""

import math
import os
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

RUNS = max(15, int(os.environ.get("BENCH_RUNS", "20")))
WARMUP = 2


@dataclass
class Measure:
    """One line of the results: a value against its target (a maximum, or a minimum for a ratio)."""

    id: str
    label: str
    unit: str  # "ms", "s", "×", "lignes/s", "Mo", "CRA/s" or "erreurs" (target 1: none)
    target: float | None = None
    at_least: bool = False  # the target is a minimum (a ratio), not a maximum
    value: float | None = None  # the median when timed over several runs
    p95: float | None = None
    runs: int = 0
    note: str = ""  # how it was measured, or why it was not
    failed: bool = False  # could not run: an error, not a missed target

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value < self.target

    def as_json(self) -> dict:
        return {**asdict(self), "met": self.met}

    @classmethod
    def from_json(cls, data: dict) -> "Measure":
        return cls(**{field.name: data[field.name] for field in fields(cls) if field.name in data})

    def fail(self, reason: BaseException | str) -> "Measure":
        """Marks the measure as not run, because of an exception (its traceback goes to stderr) or of
        `reason` in French."""
        if isinstance(reason, BaseException):
            traceback.print_exception(reason)
            reason = f"erreur : {type(reason).__name__}: {reason}"
        self.failed, self.note = True, reason
        return self


def percentile(values: list[float], rank: int) -> float:
    """The nearest-rank percentile (p95 of 20 values: the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


def durations_ms(function: Callable[[], object], *, runs: int = RUNS, warmup: int = WARMUP) -> list[float]:
    """The durations of `runs` calls of `function`, in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        function()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def timed(measure: Measure, function: Callable[[], object], **options) -> Measure:
    """`measure` with the median and p95 of `function` in its unit ("ms" or "s"); failed if `function`
    raises."""
    try:
        durations = durations_ms(function, **options)
    except Exception as error:
        return measure.fail(error)
    if measure.unit == "s":
        durations = [duration / 1000 for duration in durations]
    measure.value = statistics.median(durations)
    measure.p95 = percentile(durations, 95)
    measure.runs = len(durations)
    return measure
