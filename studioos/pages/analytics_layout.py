"""The Analytics page's markup: filters, KPI cards, charts with their CSV links, the tables and the
drill-down dialog. The state and what it holds are in `analytics.py`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.pages.analytics import ALL, AnalyticsState
from studioos.services.analytics_filters import PRESETS
from studioos.services.permissions import Cap
from studioos.ui import controls
from studioos.ui.components import card, download_link, empty_state, field_error, page_header
from studioos.ui.layout import shell


def _csv_link(chart: str) -> rx.Component:
    s = AnalyticsState
    return download_link(
        rx.el.span(rx.icon("download", size=14), "CSV", class_name="download-chip"),
        f"/api/analytics/{chart}.csv?" + s.query_string,
        id=f"csv-{chart}",
        size="2",
        title="Download the numbers behind this chart (CSV)",
    )


def _chart_card(title: str, chart: str, body: rx.Component, note: Any = None) -> rx.Component:
    return card(
        rx.el.div(
            rx.el.h2(title, class_name="card-title"),
            _csv_link(chart),
            class_name="card-head",
        ),
        body,
        rx.el.p(note, class_name="hint chart-note") if note is not None else rx.fragment(),
        id=f"chart-{chart}",
    )


def _plot(fig: Any, id_: str, on_click: Any = None) -> rx.Component:
    props: dict[str, Any] = {}
    if on_click is not None:
        props["on_click"] = on_click
    return rx.el.div(
        rx.plotly(
            data=fig,
            use_resize_handler=True,
            config={"displaylogo": False, "responsive": True},
            width="100%",
            **props,
        ),
        id=id_,
        class_name="chart-box",
    )


def _filters() -> rx.Component:
    s = AnalyticsState
    presets = rx.el.select(
        *[rx.el.option(label, value=key) for key, label in PRESETS.items()],
        value=s.preset,
        on_change=s.set_preset,
        id="filter-range",
        class_name="control select-control",
        aria_label="Range",
    )

    def picker(label: str, options: Any, value: Any, on_change: Any, id_: str) -> rx.Component:
        return rx.el.select(
            rx.el.option(label, value=ALL),
            rx.foreach(options, lambda o: rx.el.option(o.name, value=o.id)),
            value=value,
            on_change=on_change,
            id=id_,
            class_name="control select-control",
            aria_label=label,
        )

    return card(
        rx.el.div(
            controls.field("Range", presets, field_error(s.filter_errors, "range")),
            controls.field(
                "Platform",
                picker("All platforms", s.platform_options, s.platform, s.set_platform, "filter-platform"),
                field_error(s.filter_errors, "platform"),
            ),
            rx.cond(
                s.personal,
                rx.fragment(),
                controls.field(
                    "Model",
                    picker("All models", s.model_options, s.model, s.set_model, "filter-model"),
                    field_error(s.filter_errors, "model"),
                ),
            ),
            controls.field(
                "Room",
                picker("All rooms", s.room_options, s.room, s.set_room, "filter-room"),
                field_error(s.filter_errors, "room"),
            ),
            controls.field(
                "Show by",
                controls.segmented(
                    [("Day", "day"), ("Week", "week"), ("Month", "month")],
                    value=s.grain,
                    on_change=s.set_grain,
                    id_="filter-grain",
                    name="grain",
                ),
                field_error(s.filter_errors, "grain"),
            ),
            class_name="filter-grid",
        ),
        rx.cond(
            s.preset == "custom",
            rx.form(
                rx.el.div(
                    controls.text_input(
                        "from",
                        "filter-from",
                        "date",
                        default_value=s.first_day,
                        key=s.first_day,
                        class_name="auto-width",
                    ),
                    rx.el.span("to"),
                    controls.text_input(
                        "to",
                        "filter-to",
                        "date",
                        default_value=s.last_day,
                        key=s.last_day,
                        class_name="auto-width",
                    ),
                    rx.button("Show", type="submit", variant="soft", id="filter-custom-submit"),
                    class_name="inline-form",
                ),
                field_error(s.filter_errors, "from"),
                field_error(s.filter_errors, "to"),
                on_submit=s.custom_range,
                reset_on_submit=False,
                class_name="custom-range",
            ),
            rx.fragment(),
        ),
        rx.el.div(
            rx.el.span(
                s.range_text,
                rx.cond(s.previous_text != "", " · compared with " + s.previous_text, ""),
                " · amounts in ",
                s.currency,
                ", days on the studio's clock (",
                s.timezone,
                ")",
                class_name="muted",
                id="range-text",
            ),
            rx.el.div(class_name="grow"),
            rx.cond(
                s.is_owner,
                controls.checkbox(
                    "Weekly report by email",
                    checked=s.weekly_on,
                    on_change=s.set_weekly,
                    id_="weekly-report",
                    name="weekly_report",
                ),
                rx.fragment(),
            ),
            rx.button(
                "Clear filters", variant="ghost", size="1", on_click=s.clear_filters, id="filter-clear"
            ),
            download_link(
                rx.el.span(
                    rx.icon("file-spreadsheet", size=14), "Export all (XLSX)", class_name="download-chip"
                ),
                "/api/analytics/export.xlsx?" + s.query_string,
                id="export-xlsx",
                size="2",
            ),
            class_name="toolbar filter-foot",
        ),
    )


def _kpi(k: Any) -> rx.Component:
    return rx.el.div(
        rx.el.span(k.label, class_name="stat-label"),
        rx.el.span(k.value, class_name="stat-value kpi-value"),
        rx.el.span(
            rx.el.span(k.change, class_name="kpi-change", data_trend=k.trend),
            " vs ",
            k.previous,
            class_name="stat-hint",
        ),
        class_name="card kpi-card",
        data_kpi=k.key,
    )


def _figures_table(headers: list[Any], rows: Any, row: Any, id_: str = "") -> rx.Component:
    """A plain table of figures (scrolls sideways on a phone); `row(item)` gives a row's cells."""
    props = {"id": id_} if id_ else {}
    return rx.el.div(
        rx.el.table(
            rx.el.thead(rx.el.tr(*[h if isinstance(h, rx.Component) else rx.el.th(h) for h in headers])),
            rx.el.tbody(rx.foreach(rows, lambda item: rx.el.tr(*[rx.el.td(c) for c in row(item)]))),
            class_name="figures-table",
            **props,
        ),
        class_name="table-scroll",
    )


def _rooms_table() -> rx.Component:
    return _figures_table(
        ["Room", "Use", "Scheduled", "Shifts", "No-shows", "No-shows cost"],
        AnalyticsState.room_lines,
        lambda r: [r.name, r.use, r.scheduled, r.shifts, r.no_shows, r.no_show_cost],
    )


def _members_table() -> rx.Component:
    return _figures_table(
        ["#", "Member", "Platform", "Spent", "Share", "Entries"],
        AnalyticsState.member_lines,
        lambda m: [m.rank, m.label, m.platform, m.value, m.share, m.times],
        "members-table",
    )


def _cohorts_table() -> rx.Component:
    s = AnalyticsState
    months = rx.foreach(rx.Var.range(s.cohort_months), lambda i: rx.el.th("+" + (i + 1).to_string()))
    return rx.el.div(
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("First tipped"), rx.el.th("Members"), months)),
            rx.el.tbody(
                rx.foreach(
                    s.cohort_lines,
                    lambda c: rx.el.tr(
                        rx.el.td(c.month), rx.el.td(c.members), rx.foreach(c.retained, lambda n: rx.el.td(n))
                    ),
                )
            ),
            class_name="figures-table",
            id="cohorts-table",
        ),
        class_name="table-scroll",
    )


def _day_dialog() -> rx.Component:
    s = AnalyticsState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Records of " + s.day_title),
            rx.dialog.description(
                s.day_total.to_string() + " line(s) under the page's filters.", size="2", color_scheme="gray"
            ),
            rx.el.div(
                _figures_table(
                    ["Model", "Platform", "Kind", "Time", "Member", "Tokens", "Counts for"],
                    s.day_lines,
                    lambda r: [
                        r.who,
                        r.platform,
                        r.kind + rx.cond(r.lines > 1, " ×" + r.lines.to_string(), ""),
                        r.time,
                        r.member,
                        r.tokens,
                        rx.cond(r.counted, r.value, "not counted"),
                    ],
                    "day-records",
                ),
                class_name="dialog-table",
            ),
            rx.el.div(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                class_name="dialog-foot",
            ),
            max_width="56rem",
            id="day-dialog",
        ),
        open=s.day_open,
        on_open_change=s.set_day_open,
    )


def _figures() -> rx.Component:
    s = AnalyticsState
    return rx.el.div(
        rx.el.div(rx.foreach(s.kpis, _kpi), class_name="kpi-grid", id="kpis"),
        _chart_card(
            "Earnings over time",
            "series",
            _plot(s.fig_series, "plot-series", s.click_day),
            "Click a bar to list that day's records.",
        ),
        rx.el.div(
            rx.cond(
                s.personal,
                rx.fragment(),
                _chart_card(
                    "Top models",
                    "top_models",
                    rx.cond(
                        s.has_models,
                        _plot(s.fig_models, "plot-top-models", s.click_top_model),
                        rx.el.p("No model earned in this range.", class_name="muted"),
                    ),
                    "Click a model to see her numbers with the same filters.",
                ),
            ),
            _chart_card(
                "Earnings per online hour",
                "per_hour",
                rx.cond(
                    s.has_per_hour,
                    _plot(s.fig_per_hour, "plot-per-hour", s.click_hour_model),
                    rx.el.p("No online time recorded in this range.", class_name="muted"),
                ),
            ),
            _chart_card("Platform mix", "platform_mix", _plot(s.fig_mix, "plot-mix")),
            _chart_card(
                "When the money comes in",
                "heatmap",
                _plot(s.fig_heatmap, "plot-heatmap"),
                rx.cond(
                    s.untimed != "",
                    "Weekday by hour on the studio's clock, from timed entries; "
                    + s.untimed
                    + " came from daily figures, which carry no time.",
                    "Weekday by hour on the studio's clock.",
                ),
            ),
            class_name="chart-grid",
        ),
        _chart_card("Room use and no-shows", "rooms", _rooms_table()),
        rx.el.div(
            _chart_card(
                "Top members",
                "top_members",
                _members_table(),
                rx.cond(s.members_named, "", "Members are numbered: analysts see totals, not who they are."),
            ),
            _chart_card(
                "Member retention",
                "cohorts",
                _cohorts_table(),
                "Of the members who first tipped in a month, how many tipped again 1, 2, ... months later.",
            ),
            class_name="chart-grid",
        ),
        class_name="stack-5",
    )


def body() -> rx.Component:
    s = AnalyticsState
    return rx.el.div(
        page_header(
            rx.cond(s.personal, "My analytics", "Analytics"),
            "Earnings, time online, attendance and members, against the period before.",
        ),
        _filters(),
        rx.cond(
            s.loading,
            rx.el.div(
                rx.spinner(size="3"),
                rx.el.span("Working out the figures…", class_name="muted"),
                class_name="loading-panel",
                id="analytics-loading",
                role="status",
            ),
            rx.cond(
                s.has_data,
                _figures(),
                empty_state(
                    "chart-no-axes-combined",
                    "Nothing to show for these filters",
                    s.empty_reason,
                    rx.cond(
                        s.personal,
                        rx.fragment(),
                        rx.el.a(
                            "Import earnings", href="/imports", class_name="text-link", id="empty-import-link"
                        ),
                    ),
                ),
            ),
        ),
        _day_dialog(),
        class_name="stack-5",
        id="analytics",
    )


def page() -> rx.Component:
    return shell(body(), Cap.EARNINGS_VIEW)


def own_page() -> rx.Component:
    return shell(body(), Cap.EARNINGS_OWN)
