"""The Analytics page's charts: plotly figures drawn from what `services.analytics` computed.

Pure functions of the service's dataclasses (no database, no state), so a test can check a figure
without a browser. Amounts are drawn in currency units (cents / 100 as plotly needs numbers); the
exact figures stay in the service's integer cents and in the CSV downloads. A point's
`customdata` carries what a click drills down to: a day (ISO) or a model's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]

from studioos.services.analytics_views import Analytics, ModelRow
from studioos.services.formatting import Formats

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FONT = "Inter, -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, sans-serif"


def _units(cents: int) -> float:
    # Plotly draws numbers; the figures themselves stay exact in the service and the downloads.
    return cents / 100


def _layout(fig: go.Figure, *, height: int = 320, legend: bool = False, **extra: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": 12},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
        **extra,
    )
    fig.update_xaxes(automargin=True, gridcolor="rgba(0,0,0,0.06)")
    fig.update_yaxes(automargin=True, gridcolor="rgba(0,0,0,0.06)")
    return fig


def series(a: Analytics, fmt: Formats) -> go.Figure:
    """Earnings over time, stacked by platform; a bar's customdata is its first day."""
    labels = [
        fmt.day(r.first_day) if r.first_day == r.last_day else fmt.date_range(r.first_day, r.last_day)
        for r in a.series
    ]
    days = [r.first_day.isoformat() for r in a.series]
    fig = go.Figure()
    for i, (platform, colour) in enumerate(zip(a.platforms, a.colours, strict=True)):
        values = [r.values_cents[i] for r in a.series]
        fig.add_trace(
            go.Bar(
                name=platform,
                x=days,
                y=[_units(v) for v in values],
                marker_color=colour,
                customdata=[
                    [d, lab, fmt.money(v, a.currency)] for d, lab, v in zip(days, labels, values, strict=True)
                ],
                hovertemplate="%{customdata[1]}<br>" + platform + ": %{customdata[2]}<extra></extra>",
            )
        )
    return _layout(fig, legend=True, barmode="relative", xaxis={"type": "date"}, yaxis={"title": a.currency})


def _model_bars(rows: Sequence[ModelRow], values: list[int], hover: list[str], colour: str) -> go.Figure:
    names = [r.stage_name for r in rows]
    fig = go.Figure(
        go.Bar(
            x=[_units(v) for v in values],
            y=names,
            orientation="h",
            marker_color=colour,
            customdata=[[r.performer_id, h] for r, h in zip(rows, hover, strict=True)],
            hovertemplate="%{y}<br>%{customdata[1]}<extra></extra>",
        )
    )
    return _layout(fig, height=max(160, 36 * len(rows) + 40), yaxis={"autorange": "reversed"})


def top_models(a: Analytics, fmt: Formats) -> go.Figure:
    """The ten who earned most; the hover says how that compares with the previous period."""
    hover = [f"{fmt.money(r.gross_cents, a.currency)} ({change_text(r.change_bp)})" for r in a.top_models]
    return _model_bars(a.top_models, [r.gross_cents for r in a.top_models], hover, "#5B5BD6")


def per_hour(a: Analytics, fmt: Formats) -> go.Figure:
    rows = [r for r in a.per_hour if r.per_hour_cents is not None]
    values = [r.per_hour_cents or 0 for r in rows]
    hover = [
        f"{fmt.money(v, a.currency)} an hour, {hours_text(r.online_minutes)} online"
        for r, v in zip(rows, values, strict=True)
    ]
    return _model_bars(rows, values, hover, "#12A594")


def heatmap(a: Analytics, fmt: Formats) -> go.Figure:
    """Weekday by hour of the day on the studio's clock."""
    grid = [[0.0] * 24 for _ in range(7)]
    text = [[""] * 24 for _ in range(7)]
    for cell in a.heatmap:
        grid[cell.weekday][cell.hour] = _units(cell.value_cents)
        text[cell.weekday][cell.hour] = f"{fmt.money(cell.value_cents, a.currency)} · {cell.entries} entries"
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=[f"{h:02d}:00" for h in range(24)],
            y=list(WEEKDAYS),
            text=text,
            colorscale="Purples",
            hovertemplate="%{y} %{x}<br>%{text}<extra></extra>",
            showscale=False,
        )
    )
    return _layout(fig, height=280, yaxis={"autorange": "reversed"})


def platform_mix(a: Analytics, fmt: Formats) -> go.Figure:
    rows = [p for p in a.platform_mix if p.value_cents > 0]
    fig = go.Figure(
        go.Pie(
            labels=[p.platform for p in rows],
            values=[_units(p.value_cents) for p in rows],
            marker={"colors": [p.colour for p in rows]},
            hole=0.55,
            sort=False,
            customdata=[fmt.money(p.value_cents, a.currency) for p in rows],
            hovertemplate="%{label}: %{customdata} (%{percent})<extra></extra>",
            textinfo="percent",
        )
    )
    return _layout(fig, height=280, legend=True)


def change_text(change_bp: int | None, kind: str = "relative") -> str:
    """+12.5 % / -3.0 pts / "no earlier figure"."""
    if change_bp is None:
        return "no earlier figure"
    sign = "+" if change_bp > 0 else ("−" if change_bp < 0 else "±")
    value = f"{abs(change_bp) / 100:.1f}"
    return f"{sign}{value} pts" if kind == "points" else f"{sign}{value} %"


def hours_text(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min"


def percent_text(bp: int | None) -> str:
    return "–" if bp is None else f"{bp / 100:.1f} %"
