"""The model's pages and the requests page: their typed rows say what the services decided, and
their component trees build (a misspelt row field fails here, not silently in the browser)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from studioos.models import RequestKind, RequestStatus
from studioos.pages import dashboard, my_schedule, requests
from studioos.pages.my_schedule import OwnShiftRow, RequestDialog
from studioos.pages.requests import RequestView
from studioos.services.formatting import for_timezone
from studioos.services.shift_requests import RequestRow
from studioos.services.shifts import ShiftRow
from tests.factories import ran

FMT = for_timezone("Europe/Bucharest")
CREATED = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def _request(status: RequestStatus, kind: RequestKind = RequestKind.TIME_OFF, **more: object) -> RequestRow:
    fields: dict[str, object] = {
        "id": 7,
        "kind": kind,
        "status": status,
        "shift_id": 3,
        "shift_label": "Mon 01 Jun, 18:00–02:00",
        "performer_id": 1,
        "stage_name": "Anna",
        "swap_performer_id": None,
        "swap_stage_name": "",
        "swap_shift_id": None,
        "swap_shift_label": "",
        "reason": "Exam",
        "decision_note": "",
        "created_at": CREATED,
        "decided_at": None,
    }
    return RequestRow(**{**fields, **more})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "color", "pending"),
    [
        (RequestStatus.PENDING, "blue", True),
        (RequestStatus.APPROVED, "green", False),
        (RequestStatus.DECLINED, "red", False),
        (RequestStatus.WITHDRAWN, "gray", False),
    ],
)
def test_a_request_row_carries_its_status_as_flags(status: RequestStatus, color: str, pending: bool) -> None:
    row = RequestView.of(_request(status), FMT)
    assert (row.status, row.status_label, row.color, row.pending) == (
        status.value,
        status.value.capitalize(),
        color,
        pending,
    )
    assert (row.id, row.what, row.created) == (7, "Time off", FMT.moment(CREATED))
    assert not row.mine and not row.can_withdraw  # only My schedule says so


def test_a_swap_names_the_colleague_and_her_shift() -> None:
    swap = _request(
        RequestStatus.PENDING,
        RequestKind.SWAP,
        swap_performer_id=2,
        swap_stage_name="Bella",
        swap_shift_id=4,
        swap_shift_label="Tue 02 Jun, 10:00–16:00",
    )
    assert RequestView.of(swap, FMT, mine=True, can_withdraw=True).what == (
        "Swap with Bella (her shift Tue 02 Jun, 10:00–16:00)"
    )


def test_an_overnight_shift_row_says_it_ends_the_next_day() -> None:
    starts, ends = datetime(2026, 6, 1, 15, tzinfo=UTC), datetime(2026, 6, 1, 23, tzinfo=UTC)
    shift = ShiftRow(
        id=3,
        performer_id=1,
        stage_name="Anna",
        room_id=2,
        room_name="Room 1",
        series_id=None,
        starts_at=starts,
        ends_at=ends,
        starts_local=datetime(2026, 6, 1, 18),
        ends_local=datetime(2026, 6, 2, 2),
        status="scheduled",
        attendance="late",
        late=True,
        no_show=False,
        checked_in_local=datetime(2026, 6, 1, 18, 25),
        checked_out_local=None,
        notes="",
    )
    row = OwnShiftRow.of(shift, FMT, request_pending=False, can_request=False)
    assert row.time.endswith("(+1)") and row.day_label == FMT.weekday_date(datetime(2026, 6, 1))
    assert (row.attendance_label, row.color, row.checked_in) == ("Late", "orange", True)
    assert row.checked_in_at == FMT.wall_time(datetime(2026, 6, 1, 18, 25))


def test_the_request_dialog_opens_only_for_a_listed_shift_and_a_known_kind() -> None:
    listed = dataclasses.replace(my_schedule.NO_SHIFT, id=5, can_request=True)
    page = SimpleNamespace(
        upcoming=[listed], req_open=False, req_swap=False, req_shift=my_schedule.NO_SHIFT, req_errors={}
    )
    ran(RequestDialog.open_request.fn(page, 6, RequestKind.TIME_OFF.value))  # not her listed shift
    ran(RequestDialog.open_request.fn(page, 5, "holiday"))
    assert not page.req_open
    ran(RequestDialog.open_request.fn(page, "5", RequestKind.TIME_OFF.value))
    assert page.req_open and page.req_shift.id == 5 and not page.req_swap


@pytest.mark.parametrize("module", [my_schedule, dashboard, requests])
def test_the_pages_build(module: object) -> None:
    assert module.page() is not None  # type: ignore[attr-defined]
