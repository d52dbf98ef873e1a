"""Support staff's view of the platform itself: the scheduled jobs (when each last ran, whether it
worked, what it did) and the platform-level audit log (support's own actions, policy versions,
privacy requests logged by support), which no studio's log shows."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.jobs.runner import JOBS
from studioos.pages.audit import AuditView
from studioos.services import audit, job_history
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui.components import card, empty_state, page_header, pager
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import service_event


@dataclass(frozen=True)
class JobRow:
    job: str
    last_run: str
    took: str
    rows: str
    state: str
    color: str
    last_success: str
    error: str

    @classmethod
    def of(cls, s: job_history.JobStatus, fmt: Formats) -> JobRow:
        run = s.last_run
        if run is None:
            return cls(s.job, "Never", "", "", "Not run yet", "gray", "", "")
        took = run.duration
        state, color = (
            ("Failed", "red")
            if run.failed
            else ("Running", "blue")
            if not run.finished
            else ("Done", "green")
        )
        return cls(
            job=s.job,
            last_run=fmt.moment(run.started_at),
            took="" if took is None else f"{took.total_seconds():.1f} s",
            rows=f"{run.rows:,}",
            state=state,
            color=color,
            last_success=fmt.moment(s.last_success_at) if s.last_success_at else "Never",
            error=run.error,
        )


class SupportActivityState(PagedTable, rx.State):
    jobs: list[JobRow] = []
    rows: list[AuditView] = []

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            fmt = for_actor(actor)
            self.jobs = [JobRow.of(s, fmt) for s in job_history.job_statuses(db, actor, JOBS)]
            entries, self.total = audit.platform_entries(db, actor, page=self.page + 1, per_page=PAGE_SIZE)
        self.rows = [AuditView.of(e, fmt) for e in entries]

    @service_event
    def load(self) -> None:
        self.page = 0
        self._reload()


def _job(j: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.el.code(j.job)),
        rx.table.cell(rx.badge(j.state, color_scheme=j.color)),
        rx.table.cell(j.last_run, white_space="nowrap"),
        rx.table.cell(j.took),
        rx.table.cell(j.rows),
        rx.table.cell(j.last_success, white_space="nowrap"),
        rx.table.cell(j.error),
    )


def _entry(row: AuditView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when, white_space="nowrap"),
        rx.table.cell(row.actor),
        rx.table.cell(rx.text(row.action, title=row.code, size="2")),
        rx.table.cell(row.target),
        rx.table.cell(row.detail),
        rx.table.cell(row.ip),
    )


def body() -> rx.Component:
    s = SupportActivityState
    return rx.el.div(
        page_header("Platform activity", "Scheduled jobs and what support staff did, outside any studio."),
        card(
            rx.el.h2("Scheduled jobs", class_name="card-title"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Job", "State", "Last run", "Took", "Rows", "Last success", "Error")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(s.jobs, _job)),
                width="100%",
                size="1",
                class_name="phone-scroll",
                id="job-table",
            ),
            class_name="stack",
        ),
        card(
            rx.el.h2("Platform log", class_name="card-title"),
            rx.cond(
                s.rows.length() > 0,
                rx.el.div(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("When", "Who", "Action", "Target", "Detail", "IP")
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(s.rows, _entry)),
                        width="100%",
                        size="1",
                        class_name="phone-scroll",
                        id="platform-log",
                    ),
                    pager(s),
                    class_name="stack",
                ),
                empty_state("scroll-text", "Nothing logged yet", "Support's own actions appear here."),
            ),
            class_name="stack",
        ),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SUPPORT_TICKETS)
