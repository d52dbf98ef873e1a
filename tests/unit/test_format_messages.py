"""What services tell people writes days and times the studio's way, never ISO or UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from studioos.jobs.attendance import mark_no_shows
from studioos.jobs.compliance import send_document_reminders
from studioos.models import Notification
from studioos.services import shifts
from studioos.services.errors import ValidationFailed
from tests.factories import (
    DAY,
    PASSWORD,
    TEST_BROWSER,
    actor_for,
    book,
    make_studio,
    new_performer,
    performer_user,
    setup_studio,
)
from tests.foundation_helpers import mails_to


def test_a_series_error_names_the_day_the_studio_way(db: Session) -> None:
    from studioos.services.formatting import for_timezone

    _, actor, ids = setup_studio(db)
    # A Monday a few weeks ahead: inside the booking window whenever the test runs.
    today = date.today()
    monday = today + timedelta(days=21 - today.weekday())
    with pytest.raises(ValidationFailed) as err:
        shifts.create_series(
            db,
            actor,
            performer_id=ids["Anna"],
            room_id=ids["Room 1"],
            weekdays=[0],
            start_time=time(6, 0),
            end_time=time(23, 0),  # 17 hours: too long
            first_day=monday,
            weeks=1,
        )
    message = err.value.errors["end_time"]
    assert message.startswith(f"{for_timezone('Europe/Bucharest').weekday_date(monday)}: ")  # "Mon 1 Jun: "
    assert message.startswith("Mon ")
    assert monday.isoformat() not in message


def test_a_clash_in_a_us_studio_reads_the_american_way(db: Session) -> None:
    _, actor, ids = setup_studio(db, timezone="America/New_York")
    book(db, actor, ids, "Anna", "Room 2", DAY, "18:00", "02:00")
    with pytest.raises(ValidationFailed) as err:
        book(db, actor, ids, "Anna", "Room 1", date(2026, 6, 2), "01:00", "05:00")
    assert err.value.errors == {
        "performer_id": "Anna is already booked on Mon Jun 1 from 6:00\u202fPM to 2:00\u202fAM (Room 2)."
    }


def test_a_document_reminder_gives_the_day_the_studio_way(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    today = date(2026, 12, 1)
    new_performer(db, actor, "Anna", doc_expiry=date(2026, 12, 31))
    assert send_document_reminders(db, today) == 1
    db.commit()
    body = db.exec(select(Notification.body).where(Notification.kind == "document_expiring")).first()
    assert body == "It expires on 31 Dec 2026. Ask her for a renewed document."


def test_a_no_show_names_the_shift_on_the_studios_clock(db: Session) -> None:
    _, actor, ids = setup_studio(db, timezone="America/New_York")
    missed = book(db, actor, ids, "Anna", "Room 1", DAY, "18:00", "02:00")
    db.commit()
    assert mark_no_shows(db, missed.ends_at) == 1
    db.commit()
    body = db.exec(select(Notification.body).where(Notification.kind == "no_show")).first()
    assert body == "Anna did not check in for Room 1, Mon Jun 1, 6:00\u202fPM–2:00\u202fAM."


def test_a_shift_request_names_its_shift_the_studio_way(db: Session) -> None:
    from studioos.services import performers, shift_requests
    from studioos.services.formatting import for_timezone

    studio, actor, ids = setup_studio(db, timezone="America/New_York")
    anna = performer_user(db, studio, ids["Anna"])
    day = performers.studio_today(db, studio.id or 0) + timedelta(days=3)
    shift = book(db, actor, ids, "Anna", "Room 1", day, "18:00", "02:00")
    row = shift_requests.request_time_off(db, anna, shift.id, "Exam")
    weekday = for_timezone("America/New_York").weekday_date(day)  # e.g. "Thu Dec 3"
    assert row.shift_label == f"{weekday}, 6:00\u202fPM–2:00\u202fAM"


def test_the_new_browser_alert_gives_the_time_on_the_studios_clock(db: Session) -> None:
    from studioos.services import auth
    from studioos.services.formatting import for_timezone

    _, owner = make_studio(db)  # Europe/Bucharest
    first = auth.Client(ip="203.0.113.1", user_agent="Mozilla/5.0 Firefox/125.0", browser=TEST_BROWSER)
    other = auth.Client(ip="203.0.113.2", user_agent="Mozilla/5.0 (iPhone) Safari/604.1", browser="other")
    for client in (first, other):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=client)
        db.commit()
    [alert] = mails_to(owner.email)
    body = alert.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    line = next(x for x in body.splitlines() if x.strip().startswith("Time:"))
    assert "UTC" not in line and "(Europe/Bucharest time)" in line
    today = for_timezone("Europe/Bucharest").day(datetime.now(UTC))
    assert today in line  # e.g. "29 Nov 2026, 12:24", the studio's date
