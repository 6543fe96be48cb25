"""A chart's data as CSV: one row per day, one column per series."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from connect_support.analytics.selectors import Chart


class _Line:
    """A file-like object whose ``write`` returns the line, for streaming with ``csv``."""

    def write(self, value: str) -> str:
        return value


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def chart_csv_lines(chart: Chart) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(["date", *(f"{series.label} ({chart.unit})" for series in chart.series)])
    for day, values in chart.rows():
        yield writer.writerow([day.isoformat(), *(_cell(value) for value in values)])
