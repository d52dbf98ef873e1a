"""Importing earnings files through the service the import page and `studioos import` use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import EarningRecord, Member, MemberTotal, PlatformAccount, Role, Studio
from studioos.services import earnings, imports, pay_periods, payroll, platforms
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio, new_performer


def _studio(db: Session) -> tuple[Studio, Actor, dict[str, int]]:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    ids = {"Anna": new_performer(db, actor, "Anna"), "Bella": new_performer(db, actor, "Bella")}
    for name, platform, handle in (
        ("Anna", "Chaturbate", "annarose"),
        ("Anna", "Stripchat", "AnnaSC"),
        ("Bella", "Stripchat", "BellaSC"),
    ):
        ids[handle] = platforms.add_account(db, actor, ids[name], platform, handle).id
    db.commit()
    return studio, actor, ids


def _days(actor: Actor, back: int) -> str:
    return (actor.today() - timedelta(days=back)).isoformat()


def _ledger(actor: Actor) -> bytes:
    d1, d2 = _days(actor, 3), _days(actor, 2)
    return (
        "User,Token change,Timestamp,Note,Transaction type\r\n"
        f"bigtipper,100,{d1}T20:00:00+00:00,Tip,Tip\r\n"
        f"bigtipper,100,{d1}T20:00:00+00:00,Tip,Tip\r\n"  # the same tip twice in one second: two tips
        f'shy_guy 😀,50,{d1}T21:00:00+00:00,"Thanks, love",Tip\r\n'
        f"bigtipper,600,{d2}T22:00:00+00:00,Private Show,Private Show\r\n"
        f"bigtipper,-100,{d2}T23:00:00+00:00,Refund,Refund\r\n"
        f"nobody,abc,{d2}T23:30:00+00:00,Tip,Tip\r\n"
    ).encode()


def _stripchat(actor: Actor) -> bytes:
    day = _days(actor, 2)
    return (
        "Username;Date;Tokens;USD\n"
        f"AnnaSC;{day};1000;\n"
        f"BellaSC;{day};400;\n"
        f"GhostModel99;{day};200;\n"
        f"BellaSC;not a date;5;\n"
    ).encode("utf-8-sig")


def test_preview_then_confirm_lands_what_the_preview_showed(db: Session) -> None:
    _studio_row, actor, ids = _studio(db)
    data = _ledger(actor)
    seen = imports.preview(db, actor, data, filename="annarose_tokens.csv")
    assert seen.format == "chaturbate_tokens" and seen.account_id == ids["annarose"]
    assert (seen.rows_read, seen.to_land, seen.duplicates) == (6, 5, 0)
    assert [(e.line, "Token change" in e.reason) for e in seen.refused] == [(7, True)]
    assert db.exec(select(EarningRecord)).all() == []  # a preview changes nothing
    report = imports.confirm(db, actor, data, filename="annarose_tokens.csv")
    db.commit()
    assert (report.rows_landed, report.rows_duplicate, report.rows_refused) == (5, 0, 1)
    records = db.exec(select(EarningRecord).where(EarningRecord.batch_id == report.id)).all()
    assert sorted(r.tokens for r in records) == [-100, 50, 100, 100, 600]
    assert {r.source_line for r in records} == {2, 3, 4, 5, 6}
    total = db.exec(select(MemberTotal).join(Member).where(Member.handle_key == "bigtipper")).one()
    assert (total.tokens, total.tips) == (700, 2)
    assert db.exec(select(Member.handle).where(Member.handle_key == "shy_guy 😀")).one() == "shy_guy 😀"


def test_reimport_and_overlap_never_count_twice(db: Session) -> None:
    _s, actor, _ids = _studio(db)
    data = _ledger(actor)
    imports.confirm(db, actor, data, filename="annarose.csv")
    db.commit()
    again = imports.preview(db, actor, data, filename="annarose.csv")
    assert (again.to_land, again.duplicates) == (0, 5) and again.imported_before is not None
    # An overlapping file: two rows of the first and a new one.
    lines = data.decode().splitlines()
    overlap = "\r\n".join(
        [lines[0], lines[1], lines[4], lines[4].replace("600", "75").replace("22:00", "22:30")]
    )
    report = imports.confirm(db, actor, overlap.encode(), filename="annarose_later.csv")
    db.commit()
    assert (report.rows_landed, report.rows_duplicate) == (1, 2)
    assert earnings.summary(db, actor, actor.today() - timedelta(days=10), actor.today()).tokens == 750 + 75


def test_unknown_handles_are_reported_and_can_be_mapped(db: Session) -> None:
    _s, actor, ids = _studio(db)
    data = _stripchat(actor)
    seen = imports.preview(db, actor, data, filename="stripchat.csv")
    assert seen.format == "stripchat_earnings"
    assert [(u.platform, u.handle, u.first_line) for u in seen.unknown_handles] == [
        ("Stripchat", "GhostModel99", 4)
    ]
    assert {e.line for e in seen.refused} == {4, 5}
    assert seen.to_land == 2
    mapped = imports.confirm(
        db,
        actor,
        data,
        filename="stripchat.csv",
        mapping={imports.mapping_key("Stripchat", "GhostModel99"): ids["Bella"]},
    )
    db.commit()
    assert (mapped.rows_landed, mapped.rows_refused) == (3, 1)
    account = db.exec(select(PlatformAccount).where(PlatformAccount.handle_key == "ghostmodel99")).one()
    assert account.performer_id == ids["Bella"]


def test_two_handles_mapped_in_one_file_are_two_accounts(db: Session) -> None:
    # Neither new account has an id while the file is planned: the same day on both is two
    # records, not one refused as a repeat of the other.
    _s, actor, ids = _studio(db)
    day = _days(actor, 2)
    data = f"Username;Date;Tokens;USD\nNewOne;{day};300;\nNewTwo;{day};200;\n".encode()
    mapping = {
        imports.mapping_key("Stripchat", "NewOne"): ids["Anna"],
        imports.mapping_key("Stripchat", "NewTwo"): ids["Bella"],
    }
    report = imports.confirm(db, actor, data, filename="stripchat.csv", mapping=mapping)
    db.commit()
    assert (report.rows_landed, report.rows_refused) == (2, 0)
    assert earnings.summary(db, actor, actor.today() - timedelta(days=5), actor.today()).tokens == 500
    again = imports.confirm(db, actor, data, filename="stripchat.csv", mapping=mapping)
    assert (again.rows_landed, again.rows_duplicate) == (0, 2)


def test_a_one_account_file_needs_its_account(db: Session) -> None:
    _s, actor, ids = _studio(db)
    with pytest.raises(ValidationFailed) as refused:
        imports.preview(db, actor, _ledger(actor), filename="export.csv")
    assert "choose which model's account" in refused.value.errors["account"]
    with pytest.raises(ValidationFailed) as refused:
        imports.preview(db, actor, _ledger(actor), filename="export.csv", account_id=ids["AnnaSC"])
    assert "Stripchat" in refused.value.errors["account"]
    ok = imports.preview(db, actor, _ledger(actor), filename="export.csv", account_id=ids["annarose"])
    assert ok.to_land == 5


def test_bad_files_are_refused_whole_with_a_reason(db: Session) -> None:
    _s, actor, _ids = _studio(db)
    for data, words in (
        (b"", "empty"),
        (b"a,b,c\n1,2,3\n", "not in a format"),
        (b"\x00\xff\x13garbage", ""),
    ):
        with pytest.raises(ValidationFailed) as refused:
            imports.preview(db, actor, data, filename="x.csv")
        assert words in refused.value.errors["file"]


def test_undo_removes_the_batch_and_its_member_totals(db: Session) -> None:
    _s, actor, _ids = _studio(db)
    report = imports.confirm(db, actor, _ledger(actor), filename="annarose.csv")
    db.commit()
    imports.undo(db, actor, report.id)
    db.commit()
    assert db.exec(select(EarningRecord)).all() == []
    assert db.exec(select(MemberTotal)).all() == []
    with pytest.raises(ValidationFailed):
        imports.undo(db, actor, report.id)
    again = imports.confirm(db, actor, _ledger(actor), filename="annarose.csv")
    assert again.rows_landed == 5


def test_a_locked_period_refuses_rows_and_undo(db: Session) -> None:
    _s, actor, _ids = _studio(db)
    rule = pay_periods.rule_for(db, actor.studio_id or 0)
    period = rule.previous(rule.containing(actor.today()))
    day = period.ends_on.isoformat()
    data = f"User,Token change,Timestamp,Note\nfan,10,{day}T12:00:00+00:00,Tip\n".encode()
    report = imports.confirm(db, actor, data, filename="annarose.csv")
    db.commit()
    payroll.lock(db, actor, period.starts_on)
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        imports.undo(db, actor, report.id)
    assert "locked" in refused.value.errors["batch"]
    later = f"User,Token change,Timestamp,Note\nfan,20,{day}T13:00:00+00:00,Tip\n".encode()
    seen = imports.preview(db, actor, later, filename="annarose.csv")
    assert seen.to_land == 0 and "locked" in seen.refused[0].reason


def test_roles_and_studios_cannot_cross(db: Session) -> None:
    studio, actor, ids = _studio(db)
    report = imports.confirm(db, actor, _ledger(actor), filename="annarose.csv")
    db.commit()
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    with pytest.raises(PermissionDenied):
        imports.preview(db, analyst, _ledger(actor), filename="annarose.csv")
    with pytest.raises(PermissionDenied):
        imports.undo(db, analyst, report.id)
    other_studio, other_owner = make_studio(db, "Studio B")
    other = actor_for(db, other_owner, other_studio)
    with pytest.raises(NotFound):
        imports.undo(db, other, report.id)
    with pytest.raises(NotFound):
        imports.get_batch(db, other, report.id)
    with pytest.raises(NotFound):
        imports.preview(db, other, _ledger(actor), filename="x.csv", account_id=ids["annarose"])
    # The other studio's handles are not this one's: every row is an unknown handle there.
    seen = imports.preview(db, other, _stripchat(actor), filename="s.csv")
    assert seen.to_land == 0 and len(seen.unknown_handles) == 3
    assert imports.list_batches(db, other).total == 0
