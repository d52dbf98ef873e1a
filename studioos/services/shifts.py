"""Shifts: booking with clash checks, weekly series, and week calendars, in the studio's time zone.

The UI speaks studio-local wall-clock time (naive datetimes, dates and times); the database holds
aware UTC. Conversions go through `to_utc`/`to_local`, with these rules for the two DST oddities:
- a local time that does not exist (the spring-forward gap) moves forward by the gap
  (Europe/Bucharest, last Sunday of March: 03:30 becomes 04:30 summer time);
- an ambiguous local time (the autumn fall-back hour) means its first occurrence (summer time).
A weekly series keeps its wall-clock times: "18:00-02:00" stays 18:00-02:00 local across a DST
change, so the UTC instants move by an hour and the one night of the change lasts 7 or 9 hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, null, or_
from sqlmodel import Session, col, select

from studioos.models import Performer, PerformerStatus, Room, Shift, ShiftSeries, ShiftStatus, Studio, utcnow
from studioos.services import audit, studio_cache
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.formatting import day_text, for_timezone
from studioos.services.performers import (
    _expiry_flags,  # the one rule for "this document has expired"
    own_performer_id,
)
from studioos.services.performers import get_row as get_performer_row
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.rooms import get_room_row
from studioos.services.validation import (
    add_years,
    check_day,
    clean_text,
    parse_id,
    parse_int,
    require_id,
)

MAX_SHIFT = timedelta(hours=16)
MAX_SERIES_WEEKS = 52
NOTES_MAX = 500
# Days a shift may be booked on, around the studio's today: a year back (recording past shifts) to two
# years ahead. Beyond that a date is a typing mistake (3000-01-01), and near year 9999 date arithmetic
# fails.
BOOK_DAYS_BACK = 366
BOOK_YEARS_AHEAD = 2
# Weeks a calendar or a report may show: wider than the booking window, still far from the limits.
VIEW_YEARS_BACK = 10
VIEW_YEARS_AHEAD = 5
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------- time zone helpers


# Built once with a bound parameter: the calendar asks on every step to another week.
_STUDIO_TIMEZONE = select(Studio.timezone).where(Studio.id == bindparam("studio_id"))


def studio_zone(db: Session, studio_id: int) -> ZoneInfo:
    """The studio's time zone, read once per unit of work (the session check already read the
    acting studio's; the calendar asks several times)."""
    known = studio_cache.unit_zones(db)
    if studio_id not in known:
        known[studio_id] = db.exec(_STUDIO_TIMEZONE, params={"studio_id": studio_id}).first() or "UTC"
    return ZoneInfo(known[studio_id])


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Studio-local wall-clock -> aware UTC (gap: forward by the gap; ambiguous: first occurrence)."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    # fold=0 makes zoneinfo use the offset in force *before* a transition, which yields exactly
    # the two rules in the module docstring.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Aware UTC -> naive studio-local wall-clock, for display."""
    return instant.astimezone(zone).replace(tzinfo=None)


def local_span(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A shift from `start` on `day` to `end`; an end not after the start means the next day.

    The last day a date can hold (9999-12-31) has no next day: it is refused here (ValidationFailed
    on "day", outside any booking window); every other day is checked by the booking itself, against
    the window around the studio's today.
    """
    if day == date.max:
        problem = booking_day_problem(day, datetime.now(UTC).date()) or ""
        raise ValidationFailed({"day": problem}, problem)
    starts = datetime.combine(day, start)
    end_day = day if end > start else day + timedelta(days=1)
    return starts, datetime.combine(end_day, end)


def studio_today(db: Session, studio_id: int, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(studio_zone(db, studio_id)).date()


def booking_day_problem(day: date, today: date) -> str | None:
    """Why a shift cannot be booked on `day` (outside the booking window around `today`), or None."""
    earliest = today - timedelta(days=BOOK_DAYS_BACK)
    latest = add_years(today, BOOK_YEARS_AHEAD)
    if day > latest:
        return f"Shifts can be booked at most {BOOK_YEARS_AHEAD} years ahead (until {day_text(latest)})."
    if day < earliest:
        return f"This day is too far in the past; the earliest day is {day_text(earliest)}."
    return None


def _check_booking_days(
    db: Session, studio_id: int, field: str, *days: date, now: datetime | None = None
) -> None:
    today = studio_today(db, studio_id, now)
    for day in days:
        problem = booking_day_problem(day, today)
        if problem:
            raise ValidationFailed({field: problem})


def check_view_day(db: Session, studio_id: int, day: date, field: str = "week_of") -> None:
    """A calendar or report day within VIEW_YEARS_BACK..VIEW_YEARS_AHEAD of the studio's today."""
    today = studio_today(db, studio_id)
    try:
        check_day(day, add_years(today, -VIEW_YEARS_BACK), add_years(today, VIEW_YEARS_AHEAD), "The day")
    except ValueError as exc:
        # The message doubles as the toast's text for pages that show no field for it (week arrows).
        raise ValidationFailed({field: str(exc)}, str(exc)) from exc


def _clean_notes(notes: str | None) -> str:
    try:
        return clean_text(notes, "Notes", NOTES_MAX)
    except ValueError as exc:
        raise ValidationFailed({"notes": str(exc)}) from exc


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hm(value: datetime) -> str:
    return value.strftime("%H:%M")


def _duration_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


# ---------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class ShiftRow:
    id: int
    performer_id: int
    stage_name: str
    room_id: int
    room_name: str
    series_id: int | None
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC
    starts_local: datetime  # naive, studio time zone
    ends_local: datetime  # naive, studio time zone
    status: str
    attendance: str  # scheduled | cancelled | checked_in | late | done | no_show
    late: bool
    no_show: bool
    checked_in_local: datetime | None
    checked_out_local: datetime | None
    notes: str
    # Why the model must not work this shift: "Left", "Paused", "Document expired" or "" (see blocked_reason).
    blocked: str = ""


@dataclass(frozen=True)
class WeekView:
    week_start: date  # the Monday, studio-local
    days: tuple[date, ...]
    shifts: list[ShiftRow]

    def on(self, day: date) -> list[ShiftRow]:
        """Shifts that start on this local day (an overnight shift belongs to the day it starts)."""
        return [s for s in self.shifts if s.starts_local.date() == day]


@dataclass(frozen=True)
class SeriesResult:
    series_id: int
    created: int
    first_day: date
    last_day: date


def attendance_of(shift: Shift) -> str:
    if shift.status == ShiftStatus.CANCELLED:
        return "cancelled"
    if shift.no_show:
        return "no_show"
    if shift.checked_out_at is not None:
        return "done"
    if shift.checked_in_at is not None:
        return "late" if shift.late else "checked_in"
    return "scheduled"


def to_row(shift: Shift, stage_name: str, room_name: str, zone: ZoneInfo, blocked: str = "") -> ShiftRow:
    return ShiftRow(
        id=shift.id or 0,
        performer_id=shift.performer_id,
        stage_name=stage_name,
        room_id=shift.room_id,
        room_name=room_name,
        series_id=shift.series_id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        starts_local=to_local(shift.starts_at, zone),
        ends_local=to_local(shift.ends_at, zone),
        status=shift.status,
        attendance=attendance_of(shift),
        late=shift.late,
        no_show=shift.no_show,
        checked_in_local=to_local(shift.checked_in_at, zone) if shift.checked_in_at else None,
        checked_out_local=to_local(shift.checked_out_at, zone) if shift.checked_out_at else None,
        notes=shift.notes,
        blocked=blocked,
    )


def blocked_reason(status: str, doc_expiry: date | None, day: date) -> str:
    """Why a model must not work on the studio-local `day`: "Left", "Document expired", "Paused" or "".

    An ID document counts as expired on the days after its expiry date (the rule the model's page
    uses); a model who left or is paused is blocked whatever the day.
    """
    if status == PerformerStatus.LEFT:
        return "Left"
    if _expiry_flags(doc_expiry, day)[0]:
        return "Document expired"
    if status == PerformerStatus.PAUSED:
        return "Paused"
    return ""


def _row_blocked(shift: Shift, status: str, doc_expiry: date | None, zone: ZoneInfo) -> str:
    """The calendar's warning: only for shifts still to be worked (not cancelled, not attended)."""
    if attendance_of(shift) != "scheduled":
        return ""
    return blocked_reason(status, doc_expiry, to_local(shift.starts_at, zone).date())


def _rows(db: Session, studio_id: int, *where: object, docs: bool = True) -> list[ShiftRow]:
    """Shift rows; `docs=False` (analysts) leaves the ID document out of the blocked flag."""
    zone = studio_zone(db, studio_id)
    # The expiry date is encrypted; it is decrypted only for those who may know about documents.
    expiry = col(Performer.doc_expiry) if docs else null()
    found = db.exec(
        # sqlmodel types select() for at most four columns; this one takes five.
        select(  # type: ignore[call-overload]
            Shift, col(Performer.stage_name), col(Room.name), col(Performer.status), expiry
        )
        .join(Performer, col(Performer.id) == Shift.performer_id)
        .join(Room, col(Room.id) == Shift.room_id)
        .where(Shift.studio_id == studio_id, *where)
        .order_by(col(Shift.starts_at), col(Room.name))
    ).all()
    return [
        to_row(s, name, room, zone, _row_blocked(s, status, doc_expiry, zone))
        for s, name, room, status, doc_expiry in found
    ]


def get_shift_row(db: Session, studio_id: int, shift_id: int) -> Shift:
    shift = db.exec(
        select(Shift).where(Shift.id == require_id(shift_id), Shift.studio_id == studio_id)
    ).first()
    if shift is None:
        raise NotFound()
    return shift


def shift_dto(db: Session, shift: Shift, *, docs: bool = True) -> ShiftRow:
    return _rows(db, shift.studio_id, Shift.id == shift.id, docs=docs)[0]


def _sees_documents(actor: Actor) -> bool:
    """Staff who manage models, and a model about herself, may know that an ID document expired."""
    return actor.can(Cap.PERFORMERS_MANAGE) or not (
        actor.can(Cap.SCHEDULE_MANAGE) or actor.can(Cap.PERFORMERS_VIEW)
    )


# ---------------------------------------------------------------- checks


def _check_span(starts: datetime, ends: datetime, field: str = "ends") -> dict[str, str]:
    if ends <= starts:
        return {field: "The end must be after the start."}
    if ends - starts > MAX_SHIFT:
        return {field: f"A shift can last at most 16 hours; this one lasts {_duration_text(ends - starts)}."}
    return {}


def _check_bookable(room: Room, performer: Performer) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not room.is_active:
        errors["room_id"] = f"{room.name} is not active; choose another room or reactivate it."
    if performer.status == PerformerStatus.LEFT:
        errors["performer_id"] = f"{performer.stage_name} has left the studio and cannot be booked."
    return errors


class NeedsConfirmation(ValidationFailed):
    """The booking is allowed only once the user has said yes to each warning.

    `errors` maps the keyword argument that says yes (`record_past`, `confirm_blocked`) to the
    warning to show; the caller repeats the call with those arguments set to True.
    """

    def __init__(self, warnings: dict[str, str]) -> None:
        super().__init__(warnings, "Please confirm: " + " ".join(warnings.values()))


def _when(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    start, end = to_local(starts, zone), to_local(ends, zone)
    fmt = for_timezone(zone.key)
    return f"{fmt.weekday_day(start)}, {fmt.wall_time(start)}–{fmt.wall_time(end)}"


def _booking_warnings(
    performer: Performer,
    spans: Sequence[tuple[date, datetime, datetime]],
    zone: ZoneInfo,
    now: datetime,
    *,
    record_past: bool,
    confirm_blocked: bool,
) -> None:
    """Raise NeedsConfirmation for a paused model, an expired ID document or shifts already over.

    Shifts over before `now` would be flagged no-show at once by the attendance job; booked with
    `record_past` they are history (created after they ended), which the job leaves alone.
    """
    warnings: dict[str, str] = {}
    name = performer.stage_name
    if not confirm_blocked:
        problems = []
        if performer.status == PerformerStatus.PAUSED:
            problems.append(f"{name} is paused.")
        expired = [day for day, _, _ in spans if _expiry_flags(performer.doc_expiry, day)[0]]
        if expired and expired[0] == spans[0][0]:
            problems.append(f"{name}'s ID document has expired; she must not stream until it is renewed.")
        elif expired and performer.doc_expiry is not None:
            problems.append(
                f"{name}'s ID document expires on {for_timezone(zone.key).day(performer.doc_expiry)}, before "
                f"{len(expired)} of these shifts; she must not stream until it is renewed."
            )
        if problems:
            warnings["confirm_blocked"] = " ".join(problems)
    if not record_past:
        past = [(s, e) for _, s, e in spans if e <= now]
        if len(past) == 1 and len(spans) == 1:
            warnings["record_past"] = (
                f"This shift is in the past ({_when(*past[0], zone)}). Record it as a past shift? "
                "It will not be marked as a no-show."
            )
        elif past:
            warnings["record_past"] = (
                f"{len(past)} of these shifts are in the past (the first: {_when(*past[0], zone)}). "
                "Record them as past shifts? They will not be marked as no-shows."
            )
    if warnings:
        raise NeedsConfirmation(warnings)


def _clash_text(other: Shift, zone: ZoneInfo, ref_day: date | None) -> str:
    start, end = to_local(other.starts_at, zone), to_local(other.ends_at, zone)
    fmt = for_timezone(zone.key)
    when = f"from {fmt.wall_time(start)} to {fmt.wall_time(end)}"
    if ref_day is None or start.date() != ref_day:
        when = f"on {fmt.weekday_date(start)} {when}"
    return when


def find_clashes(
    db: Session,
    studio_id: int,
    spans: Sequence[tuple[datetime, datetime]],
    *,
    room_id: int,
    performer_id: int,
    exclude_ids: Iterable[int] = (),
) -> dict[str, str]:
    """Messages naming the first booking that clashes with any span, for the room and the model."""
    if not spans:
        return {}
    zone = studio_zone(db, studio_id)
    lo = min(s for s, _ in spans)
    hi = max(e for _, e in spans)
    excluded = set(exclude_ids)
    candidates = db.exec(
        select(Shift, Performer.stage_name, Room.name)
        .join(Performer, col(Performer.id) == Shift.performer_id)
        .join(Room, col(Room.id) == Shift.room_id)
        .where(
            Shift.studio_id == studio_id,
            Shift.status == ShiftStatus.SCHEDULED,
            or_(col(Shift.room_id) == room_id, col(Shift.performer_id) == performer_id),
            and_(col(Shift.starts_at) < hi, col(Shift.ends_at) > lo),
        )
        .order_by(col(Shift.starts_at))
    ).all()
    room_hits: list[str] = []
    performer_hits: list[str] = []
    for starts, ends in sorted(spans):
        ref_day = to_local(starts, zone).date() if len(spans) == 1 else None
        for other, stage_name, room_name in candidates:
            if other.id in excluded or not (other.starts_at < ends and other.ends_at > starts):
                continue
            when = _clash_text(other, zone, ref_day)
            if other.room_id == room_id:
                room_hits.append(f"{room_name} is already booked {when} ({stage_name}).")
            if other.performer_id == performer_id:
                performer_hits.append(f"{stage_name} is already booked {when} ({room_name}).")
    errors: dict[str, str] = {}
    for field, hits in (("room_id", room_hits), ("performer_id", performer_hits)):
        unique = list(dict.fromkeys(hits))
        if unique:
            more = f" And {len(unique) - 1} more clash(es)." if len(unique) > 1 else ""
            errors[field] = unique[0] + more
    return errors


# ---------------------------------------------------------------- single shifts


def create_shift(
    db: Session,
    actor: Actor,
    *,
    performer_id: int,
    room_id: int,
    starts: datetime,
    ends: datetime,
    notes: str = "",
    record_past: bool = False,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> ShiftRow:
    """Book one shift; `starts`/`ends` are studio-local (use local_span for date + times).

    A shift already over, or for a paused model or one whose ID document has expired by its day,
    raises NeedsConfirmation until the caller says yes (`record_past`, `confirm_blocked`).
    """
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    room = get_room_row(db, studio_id, room_id)
    performer = get_performer_row(db, studio_id, performer_id)
    zone = studio_zone(db, studio_id)
    now = now or utcnow()
    # Notes and the day first: a day past the window would overflow the arithmetic below.
    clean_notes = None if notes is None else _clean_notes(notes)
    _check_booking_days(db, studio_id, "day", starts.date(), now=now)
    start_utc, end_utc = to_utc(starts, zone), to_utc(ends, zone)
    errors = _check_span(start_utc, end_utc) or _check_bookable(room, performer)
    if not errors:
        errors = find_clashes(
            db, studio_id, [(start_utc, end_utc)], room_id=room_id, performer_id=performer_id
        )
    if errors:
        raise ValidationFailed(errors)
    _booking_warnings(
        performer,
        [(to_local(start_utc, zone).date(), start_utc, end_utc)],
        zone,
        now,
        record_past=record_past,
        confirm_blocked=confirm_blocked,
    )
    shift = Shift(
        studio_id=studio_id,
        performer_id=performer_id,
        room_id=room_id,
        starts_at=start_utc,
        ends_at=end_utc,
        notes=clean_notes or "",
        # A shift created after it ended is recorded history: the no-show job goes by this.
        created_at=now,
    )
    db.add(shift)
    db.flush()
    return shift_dto(db, shift)


def _editable(shift: Shift) -> None:
    if shift.status == ShiftStatus.CANCELLED:
        raise ValidationFailed({"shift": "This shift is cancelled."})
    if shift.checked_in_at is not None or shift.no_show:
        raise ValidationFailed({"shift": "This shift has already started; it can no longer be changed."})


def update_shift(
    db: Session,
    actor: Actor,
    shift_id: int,
    *,
    performer_id: int,
    room_id: int,
    starts: datetime,
    ends: datetime,
    notes: str | None = None,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> ShiftRow:
    """Change one occurrence (it stays part of its series; a later series edit overrides it).

    A shift is not moved into the past (the no-show job would flag it at once): a past shift is
    recorded with create_shift. Another model, or another time, for a paused model or one whose ID
    document has expired by then raises NeedsConfirmation until `confirm_blocked`.
    """
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    shift = get_shift_row(db, studio_id, shift_id)
    _editable(shift)
    room = get_room_row(db, studio_id, room_id)
    performer = get_performer_row(db, studio_id, performer_id)
    zone = studio_zone(db, studio_id)
    # Notes and the day first: a day past the window would overflow the arithmetic below.
    clean_notes = None if notes is None else _clean_notes(notes)
    _check_booking_days(db, studio_id, "day", starts.date(), now=now)
    start_utc, end_utc = to_utc(starts, zone), to_utc(ends, zone)
    errors = _check_span(start_utc, end_utc) or _check_bookable(room, performer)
    if not errors:
        errors = find_clashes(
            db,
            studio_id,
            [(start_utc, end_utc)],
            room_id=room_id,
            performer_id=performer_id,
            exclude_ids=[shift_id],
        )
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    moved = (start_utc, end_utc) != (shift.starts_at, shift.ends_at)
    if moved and end_utc <= now:
        raise ValidationFailed(
            {"day": "A shift cannot be moved into the past; to record a past shift, book it as a new one."}
        )
    if moved or performer_id != shift.performer_id:
        span = (to_local(start_utc, zone).date(), start_utc, end_utc)
        _booking_warnings(performer, [span], zone, now, record_past=True, confirm_blocked=confirm_blocked)
    shift.performer_id, shift.room_id = performer_id, room_id
    shift.starts_at, shift.ends_at = start_utc, end_utc
    if clean_notes is not None:
        shift.notes = clean_notes
    db.add(shift)
    db.flush()
    return shift_dto(db, shift)


def cancel_shift(db: Session, actor: Actor, shift_id: int) -> ShiftRow:
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    shift = get_shift_row(db, studio_id, shift_id)
    _editable(shift)
    shift.status = ShiftStatus.CANCELLED
    db.add(shift)
    audit.record_by(db, actor, "shift.cancelled", target=f"shift:{shift.id}")
    db.flush()
    return shift_dto(db, shift)


# ---------------------------------------------------------------- weekly series


def _clean_weekdays(weekdays: Iterable[int]) -> tuple[int, ...]:
    parsed = [parse_int(d, 0, 6) for d in weekdays]
    days = tuple(sorted({d for d in parsed if d is not None}))
    if not days or None in parsed:
        raise ValidationFailed({"weekdays": "Choose at least one weekday."})
    return days


def _occurrences(
    first_day: date, last_day: date, weekdays: Sequence[int], start: time, end: time, zone: ZoneInfo
) -> list[tuple[date, datetime, datetime]]:
    out = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            starts, ends = local_span(day, start, end)
            out.append((day, to_utc(starts, zone), to_utc(ends, zone)))
        day += timedelta(days=1)
    return out


def _series_errors(spans: Sequence[tuple[date, datetime, datetime]], zone: ZoneInfo) -> dict[str, str]:
    for day, starts, ends in spans:
        problem = _check_span(starts, ends, "end_time")
        if problem:
            return {"end_time": f"{for_timezone(zone.key).weekday_date(day)}: {problem['end_time']}"}
    return {}


def create_series(
    db: Session,
    actor: Actor,
    *,
    performer_id: int,
    room_id: int,
    weekdays: Iterable[int],
    start_time: time,
    end_time: time,
    first_day: date,
    weeks: int | None = None,
    last_day: date | None = None,
    notes: str = "",
    record_past: bool = False,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> SeriesResult:
    """Book a weekly series in one go (all or nothing): e.g. Mon-Fri 18:00-02:00 for 8 weeks.

    weekdays: 0 = Monday ... 6 = Sunday. Give `weeks` (from first_day) or an inclusive `last_day`.
    Past occurrences, a paused model or an expired ID document: NeedsConfirmation, as create_shift.
    """
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    room = get_room_row(db, studio_id, room_id)
    performer = get_performer_row(db, studio_id, performer_id)
    days = _clean_weekdays(weekdays)
    clean_notes = _clean_notes(notes)
    _check_booking_days(db, studio_id, "first_day", first_day, now=now)
    if last_day is None:
        if weeks is None or not 1 <= weeks <= MAX_SERIES_WEEKS:
            raise ValidationFailed({"weeks": f"Repeat for 1 to {MAX_SERIES_WEEKS} weeks."})
        last_day = first_day + timedelta(days=7 * weeks - 1)
    if last_day < first_day:
        raise ValidationFailed({"last_day": "The last day must not be before the first day."})
    if (last_day - first_day).days >= 7 * MAX_SERIES_WEEKS:
        raise ValidationFailed({"last_day": f"A series can run for at most {MAX_SERIES_WEEKS} weeks."})
    _check_booking_days(db, studio_id, "last_day", last_day, now=now)
    if start_time == end_time:
        raise ValidationFailed({"end_time": "The end must be different from the start."})
    zone = studio_zone(db, studio_id)
    spans = _occurrences(first_day, last_day, days, start_time, end_time, zone)
    if not spans:
        raise ValidationFailed({"weekdays": "None of the chosen weekdays falls within these dates."})
    errors = _series_errors(spans, zone) or _check_bookable(room, performer)
    if not errors:
        errors = find_clashes(
            db, studio_id, [(s, e) for _, s, e in spans], room_id=room_id, performer_id=performer_id
        )
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    _booking_warnings(performer, spans, zone, now, record_past=record_past, confirm_blocked=confirm_blocked)
    series = ShiftSeries(
        studio_id=studio_id,
        performer_id=performer_id,
        room_id=room_id,
        weekdays=",".join(str(d) for d in days),
        start_time=start_time.strftime("%H:%M"),
        end_time=end_time.strftime("%H:%M"),
        first_day=first_day,
        last_day=last_day,
        timezone=zone.key,
        created_by_id=actor.user_id,
    )
    db.add(series)
    db.flush()
    db.add_all(
        Shift(
            studio_id=studio_id,
            performer_id=performer_id,
            room_id=room_id,
            series_id=series.id,
            starts_at=s,
            ends_at=e,
            notes=clean_notes,
            created_at=now,
        )
        for _, s, e in spans
    )
    db.flush()
    return SeriesResult(series.id or 0, len(spans), first_day, last_day)


def _series_tail(
    db: Session, studio_id: int, shift_id: int, from_day: date | None
) -> tuple[ShiftSeries, date, list[Shift]]:
    """The series of `shift_id` and its still-changeable occurrences starting on/after from_day."""
    shift = get_shift_row(db, studio_id, shift_id)
    if shift.series_id is None:
        raise ValidationFailed({"shift": "This shift is not part of a series."})
    series = db.exec(
        select(ShiftSeries).where(ShiftSeries.id == shift.series_id, ShiftSeries.studio_id == studio_id)
    ).one()
    zone = studio_zone(db, studio_id)
    if from_day is not None:
        check_view_day(db, studio_id, from_day, "from_day")
    start_day = from_day or to_local(shift.starts_at, zone).date()
    tail = [
        s
        for s in db.exec(
            select(Shift)
            .where(
                Shift.studio_id == studio_id,
                Shift.series_id == series.id,
                Shift.status == ShiftStatus.SCHEDULED,
                col(Shift.checked_in_at).is_(None),
                col(Shift.no_show).is_(False),
            )
            .order_by(col(Shift.starts_at))
        ).all()
        if to_local(s.starts_at, zone).date() >= start_day
    ]
    return series, start_day, tail


def update_series_from(
    db: Session,
    actor: Actor,
    shift_id: int,
    *,
    performer_id: int,
    room_id: int,
    start_time: time,
    end_time: time,
    from_day: date | None = None,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> int:
    """Change every remaining occurrence of the series from `from_day` (default: this shift's day) on.

    Each occurrence keeps its local day and gets the new times, model and room. Returns the count.
    A paused model, or one whose ID document has expired by one of the days: NeedsConfirmation.
    """
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    room = get_room_row(db, studio_id, room_id)
    performer = get_performer_row(db, studio_id, performer_id)
    series, start_day, tail = _series_tail(db, studio_id, shift_id, from_day)
    if start_time == end_time:
        raise ValidationFailed({"end_time": "The end must be different from the start."})
    zone = studio_zone(db, studio_id)
    planned = []
    for s in tail:
        day = to_local(s.starts_at, zone).date()
        starts, ends = local_span(day, start_time, end_time)
        planned.append((day, to_utc(starts, zone), to_utc(ends, zone)))
    errors = _series_errors(planned, zone) or _check_bookable(room, performer)
    if not errors:
        errors = find_clashes(
            db,
            studio_id,
            [(s, e) for _, s, e in planned],
            room_id=room_id,
            performer_id=performer_id,
            exclude_ids=[s.id for s in tail if s.id is not None],
        )
    if errors:
        raise ValidationFailed(errors)
    if planned:
        _booking_warnings(
            performer, planned, zone, now or utcnow(), record_past=True, confirm_blocked=confirm_blocked
        )
    target = series
    if start_day > series.first_day:
        # Split: the old series ends the day before; the changed tail becomes a series of its own.
        target = ShiftSeries(
            studio_id=studio_id,
            performer_id=performer_id,
            room_id=room_id,
            weekdays=series.weekdays,
            start_time=start_time.strftime("%H:%M"),
            end_time=end_time.strftime("%H:%M"),
            first_day=start_day,
            last_day=series.last_day,
            timezone=zone.key,
            created_by_id=actor.user_id,
        )
        db.add(target)
        series.last_day = start_day - timedelta(days=1)
        db.add(series)
        db.flush()
    else:
        target.performer_id, target.room_id = performer_id, room_id
        target.start_time, target.end_time = start_time.strftime("%H:%M"), end_time.strftime("%H:%M")
        db.add(target)
    for s, (_, starts_at, ends_at) in zip(tail, planned, strict=True):
        s.performer_id, s.room_id, s.series_id = performer_id, room_id, target.id
        s.starts_at, s.ends_at = starts_at, ends_at
        db.add(s)
    db.flush()
    return len(tail)


def cancel_series_from(db: Session, actor: Actor, shift_id: int, *, from_day: date | None = None) -> int:
    """Cancel every remaining occurrence from `from_day` (default: this shift's day) on."""
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    series, start_day, tail = _series_tail(db, studio_id, shift_id, from_day)
    for s in tail:
        s.status = ShiftStatus.CANCELLED
        db.add(s)
    if start_day > series.first_day:
        series.last_day = min(series.last_day, start_day - timedelta(days=1))
        db.add(series)
    audit.record_by(
        db, actor, "shift_series.cancelled", target=f"series:{series.id}", detail=f"from {start_day}"
    )
    db.flush()
    return len(tail)


# ---------------------------------------------------------------- calendars


def day_window(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, day after last 00:00) local, as UTC."""
    return (
        to_utc(datetime.combine(first, time()), zone),
        to_utc(datetime.combine(last + timedelta(days=1), time()), zone),
    )


def _visible(db: Session, actor: Actor, performer_id: int | None) -> tuple[int, int | None]:
    """Staff and analysts see every model's shifts; a model sees her own only."""
    studio_id = require_studio(actor)
    if actor.can(Cap.SCHEDULE_MANAGE) or actor.can(Cap.PERFORMERS_VIEW):
        return studio_id, performer_id
    if not actor.can(Cap.SCHEDULE_OWN):
        raise PermissionDenied()
    own = own_performer_id(db, actor)
    if own is None or (performer_id is not None and performer_id != own):
        raise NotFound()
    return studio_id, own


def shifts_between(
    db: Session,
    actor: Actor,
    first_day: date,
    last_day: date,
    *,
    room_id: int | None = None,
    performer_id: int | None = None,
    include_cancelled: bool = False,
) -> list[ShiftRow]:
    """Shifts overlapping the local days first_day..last_day (inclusive)."""
    studio_id, performer_id = _visible(db, actor, performer_id)
    if room_id is not None and not (actor.can(Cap.SCHEDULE_MANAGE) or actor.can(Cap.PERFORMERS_VIEW)):
        raise PermissionDenied()
    check_view_day(db, studio_id, first_day)
    check_view_day(db, studio_id, last_day)
    lo, hi = day_window(studio_zone(db, studio_id), first_day, last_day)
    docs = _sees_documents(actor)

    def rows() -> tuple[ShiftRow, ...]:
        # That the room and the model are this studio's is studio data too: checked with the rows
        # and kept with them (a NotFound is never kept, and a deleted room changes the revision).
        # The query is built here, on a miss only: building it costs as much as a cache hit.
        where: list[object] = [Shift.starts_at < hi, Shift.ends_at > lo]
        if room_id is not None:
            get_room_row(db, studio_id, room_id)
            where.append(Shift.room_id == room_id)
        if performer_id is not None:
            get_performer_row(db, studio_id, performer_id)
            where.append(Shift.performer_id == performer_id)
        if not include_cancelled:
            where.append(Shift.status == ShiftStatus.SCHEDULED)
        return tuple(_rows(db, studio_id, *where, docs=docs))

    # The permission checks above ran for this actor; the rows are then the same for everyone in
    # the studio who is shown the same room or model with the same view of documents, until
    # anything in the studio changes (studio_cache: no decrypted field is kept, only the flag the
    # page shows).
    cached = studio_cache.remember(
        db, actor, "shifts.between", rows, parts=(lo, hi, room_id, performer_id, include_cancelled, docs)
    )
    return list(cached)


def _week(
    db: Session,
    actor: Actor,
    day: date,
    *,
    room_id: int | None = None,
    performer_id: int | None = None,
    include_cancelled: bool = False,
) -> WeekView:
    check_view_day(db, require_studio(actor), day)  # before the week's arithmetic can overflow
    monday = week_start(day)
    days = tuple(monday + timedelta(days=i) for i in range(7))
    rows = shifts_between(
        db,
        actor,
        days[0],
        days[-1],
        room_id=room_id,
        performer_id=performer_id,
        include_cancelled=include_cancelled,
    )
    return WeekView(monday, days, rows)


def room_week(
    db: Session, actor: Actor, room_id: int, day: date, *, include_cancelled: bool = False
) -> WeekView:
    """The Monday-to-Sunday week (studio-local) containing `day`, for one room."""
    return _week(db, actor, day, room_id=room_id, include_cancelled=include_cancelled)


def performer_week(
    db: Session, actor: Actor, performer_id: int, day: date, *, include_cancelled: bool = False
) -> WeekView:
    """The week containing `day` for one model (a model may only ask for her own)."""
    return _week(db, actor, day, performer_id=performer_id, include_cancelled=include_cancelled)


def calendar_week(
    db: Session, actor: Actor, day: date, *, room_id: int = 0, performer_id: int = 0
) -> WeekView:
    """The schedule's calendar: the week of one model, else of one room (cancelled shifts
    included), else the empty week when the studio has neither yet."""
    if performer_id:
        return performer_week(db, actor, performer_id, day, include_cancelled=True)
    if room_id:
        return room_week(db, actor, room_id, day, include_cancelled=True)
    check_view_day(db, require_studio(actor), day)
    monday = week_start(day)
    return WeekView(monday, tuple(monday + timedelta(days=i) for i in range(7)), [])


def my_week(db: Session, actor: Actor, day: date) -> WeekView:
    own = own_performer_id(db, actor)
    if own is None:
        raise NotFound("Your account is not linked to a model profile yet.")
    return performer_week(db, actor, own, day)


def get_shift(db: Session, actor: Actor, shift_id: int) -> ShiftRow:
    studio_id, own = _visible(db, actor, None)
    shift = get_shift_row(db, studio_id, shift_id)
    if own is not None and shift.performer_id != own:
        raise NotFound()
    return shift_dto(db, shift, docs=_sees_documents(actor))


# ---------------------------------------------------------------- the booking forms
#
# The schedule page's forms send text; these parse it and book through the calls above. Every refusal
# is keyed by the form's field names (performer_id, room_id, day, first_day, start_time, end_time,
# weeks, weekdays, notes, from_day), so a page shows each message under its field as it is.

# The calls above name a span problem by their arguments; the forms by their fields.
_FORM_FIELDS = {"ends": "end_time", "last_day": "weeks"}


@contextmanager
def _keyed_by_form() -> Iterator[None]:
    try:
        yield
    except NeedsConfirmation:
        raise  # keyed by the yes-arguments (record_past, confirm_blocked) the caller repeats the call with
    except ValidationFailed as exc:
        errors = {_FORM_FIELDS.get(key, key): message for key, message in exc.errors.items()}
        raise ValidationFailed(errors, exc.message) from exc


def _parse_day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw if raw is not None else "").strip()[:10])
    except ValueError:
        return None


def _parse_time(raw: object) -> time | None:
    # A time input sends HH:MM (some browsers HH:MM:SS): the minutes are what a shift is booked by.
    try:
        return time.fromisoformat(str(raw if raw is not None else "").strip()[:5])
    except ValueError:
        return None


def _who_and_when(
    form: Mapping[str, object], day_field: str, errors: dict[str, str]
) -> tuple[int | None, int | None, date | None, time | None, time | None]:
    """The fields both booking forms and the edit form share, each missing one noted in `errors`."""
    performer_id, room_id = parse_id(form.get("performer_id")), parse_id(form.get("room_id"))
    day = _parse_day(form.get(day_field))
    start, end = _parse_time(form.get("start_time")), _parse_time(form.get("end_time"))
    if performer_id is None:
        errors["performer_id"] = "Choose a model."
    if room_id is None:
        errors["room_id"] = "Choose a room."
    if day is None:
        what = "the first day of the series" if day_field == "first_day" else "the day of the shift"
        errors[day_field] = f"Enter {what}."
    if start is None:
        errors["start_time"] = "Enter the start time, like 18:00."
    if end is None:
        errors["end_time"] = "Enter the end time, like 02:00."
    return performer_id, room_id, day, start, end


def _notes_of(form: Mapping[str, object]) -> str | None:
    """The notes box's text; None when the form has no notes box (an edit keeps the notes)."""
    return str(form["notes"] or "") if "notes" in form else None


@dataclass(frozen=True)
class ShiftInput:
    """One shift as the booking or edit form gives it: the model, the room, a studio-local day and
    wall-clock times (an end not after the start is the next morning)."""

    performer_id: int
    room_id: int
    day: date
    start_time: time
    end_time: time
    notes: str | None = ""  # None: the form had no notes box, so an edit keeps them

    @classmethod
    def from_form(cls, form: Mapping[str, object], *, day_field: str = "day") -> ShiftInput:
        """Parse the form's text, or raise ValidationFailed naming every missing or unreadable field.

        day_field: the field that holds the day; a series edit sends the day it applies from
            ("from_day") and no day of its own.
        """
        errors: dict[str, str] = {}
        performer_id, room_id, day, start, end = _who_and_when(form, day_field, errors)
        if performer_id is None or room_id is None or day is None or start is None or end is None:
            raise ValidationFailed(errors)
        return cls(performer_id, room_id, day, start, end, _notes_of(form))

    def span(self) -> tuple[datetime, datetime]:
        """Studio-local start and end (ValidationFailed on "day" for a day with no next day)."""
        return local_span(self.day, self.start_time, self.end_time)


@dataclass(frozen=True)
class SeriesInput:
    """A weekly series as the series form gives it: weekdays 0 = Monday ... 6 = Sunday, from
    `first_day` for `weeks` weeks."""

    performer_id: int
    room_id: int
    weekdays: tuple[int, ...]
    first_day: date
    start_time: time
    end_time: time
    weeks: int
    notes: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, object], weekdays: Iterable[object]) -> SeriesInput:
        """Parse the form's text and the ticked weekdays, or raise ValidationFailed naming every
        missing or unreadable field. The weeks' range is the booking's rule (create_series)."""
        errors: dict[str, str] = {}
        performer_id, room_id, first_day, start, end = _who_and_when(form, "first_day", errors)
        weeks = parse_int(form.get("weeks"))
        if weeks is None:
            errors["weeks"] = "Enter for how many weeks, like 4."
        parsed = [parse_int(d, 0, 6) for d in weekdays]
        days = tuple(sorted({d for d in parsed if d is not None}))
        if not days or None in parsed:
            errors["weekdays"] = "Choose at least one weekday."
        if (
            performer_id is None
            or room_id is None
            or first_day is None
            or start is None
            or end is None
            or weeks is None
            or errors
        ):
            raise ValidationFailed(errors)
        return cls(performer_id, room_id, days, first_day, start, end, weeks, _notes_of(form) or "")


def book_shift(
    db: Session,
    actor: Actor,
    shift: ShiftInput,
    *,
    record_past: bool = False,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> ShiftRow:
    """create_shift for the booking form (refusals keyed by its fields)."""
    require(actor, Cap.SCHEDULE_MANAGE)
    with _keyed_by_form():
        starts, ends = shift.span()
        return create_shift(
            db,
            actor,
            performer_id=shift.performer_id,
            room_id=shift.room_id,
            starts=starts,
            ends=ends,
            notes=shift.notes or "",
            record_past=record_past,
            confirm_blocked=confirm_blocked,
            now=now,
        )


def book_series(
    db: Session,
    actor: Actor,
    series: SeriesInput,
    *,
    record_past: bool = False,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> SeriesResult:
    """create_series for the series form (refusals keyed by its fields: a series too long is "weeks")."""
    require(actor, Cap.SCHEDULE_MANAGE)
    with _keyed_by_form():
        return create_series(
            db,
            actor,
            performer_id=series.performer_id,
            room_id=series.room_id,
            weekdays=series.weekdays,
            start_time=series.start_time,
            end_time=series.end_time,
            first_day=series.first_day,
            weeks=series.weeks,
            notes=series.notes,
            record_past=record_past,
            confirm_blocked=confirm_blocked,
            now=now,
        )


def change_shift(
    db: Session,
    actor: Actor,
    shift_id: int,
    shift: ShiftInput,
    *,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> ShiftRow:
    """update_shift for the edit form: this occurrence only (refusals keyed by its fields)."""
    require(actor, Cap.SCHEDULE_MANAGE)
    with _keyed_by_form():
        starts, ends = shift.span()
        return update_shift(
            db,
            actor,
            shift_id,
            performer_id=shift.performer_id,
            room_id=shift.room_id,
            starts=starts,
            ends=ends,
            notes=shift.notes,
            confirm_blocked=confirm_blocked,
            now=now,
        )


def change_series_from(
    db: Session,
    actor: Actor,
    shift_id: int,
    shift: ShiftInput,
    *,
    confirm_blocked: bool = False,
    now: datetime | None = None,
) -> int:
    """update_series_from for the edit form: the series from `shift.day` on (read from its
    "from_day" field), each occurrence on its own day with the new times, model and room."""
    require(actor, Cap.SCHEDULE_MANAGE)
    with _keyed_by_form():
        return update_series_from(
            db,
            actor,
            shift_id,
            performer_id=shift.performer_id,
            room_id=shift.room_id,
            start_time=shift.start_time,
            end_time=shift.end_time,
            from_day=shift.day,
            confirm_blocked=confirm_blocked,
            now=now,
        )
