"""`studioos` command: migrate | seed-demo | create-user | rotate-keys | run-jobs | worker | import."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from studioos.settings import ROOT, get_settings


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", get_settings().database_url)
    return cfg


def cmd_migrate(_args: argparse.Namespace) -> int:
    from alembic import command
    from studioos import crypto

    settings = get_settings()
    settings.check_production_secrets()  # a deployment that would leak links or use the dev secret
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    crypto.check_keys()
    command.upgrade(_alembic_config(), "head")
    print("Database is at the newest schema.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from studioos.db import session_scope
    from studioos.services import demo

    with session_scope() as db:
        created = demo.seed(db, force=args.force)
    if created:
        print("Demo data loaded.")
    else:
        print("Demo data already present; nothing to do.")
    print(demo.SIGN_IN_HELP)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from studioos.db import session_scope
    from studioos.services import users
    from studioos.services.errors import ValidationFailed

    password = args.password or getpass.getpass("Password (12-128 characters): ")
    try:
        with session_scope() as db:
            user = users.create_user(
                db,
                email=args.email,
                name=args.name,
                password=password,
                support=args.support,
                studio_id=args.studio,
                role=args.role,
            )
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    kind = "support staff" if args.support else f"{args.role} of studio {args.studio}"
    print(f"Created {user.email} ({kind}).")
    return 0


def cmd_rotate_keys(_args: argparse.Namespace) -> int:
    from studioos import crypto
    from studioos.db import session_scope
    from studioos.services import audit

    with session_scope() as db:
        counts = crypto.rotate(db)
        # Key rotation is a security event: the platform's log keeps when and how much.
        audit.record(
            db,
            "keys.rotated",
            studio_id=None,
            actor_user_id=None,
            detail=f"{sum(counts.values())} values re-encrypted in {len(counts)} columns",
            user_agent="studioos rotate-keys",
        )
    for column, n in counts.items():
        print(f"{column}: {n} values re-encrypted")
    print("Every encrypted field now uses the newest key. You may drop older keys.")
    return 0


def cmd_run_jobs(_args: argparse.Namespace) -> int:
    """Run every scheduled job once, now (the scheduler calls the same functions)."""
    from studioos.jobs.runner import run_all_once

    for name, result in run_all_once().items():
        print(f"{name}: {result}")
    return 0


def cmd_worker(_args: argparse.Namespace) -> int:
    """Runs the scheduled jobs; only one worker at a time is active, the others stand by."""
    import logging

    from studioos.jobs.scheduler import SchedulerRunner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    SchedulerRunner().run_forever()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import an earnings file through the same service as the import page."""
    from studioos import importers
    from studioos.db import session_scope
    from studioos.importers.base import FileRefused
    from studioos.services import imports
    from studioos.services.errors import ServiceError, ValidationFailed

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"Can't read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with session_scope() as db:
            actor = imports.command_line_actor(db, args.studio)
            account = None
            if args.model:
                platform = importers.get_format(args.format).platform if args.format else None
                account = imports.account_by_handle(db, args.studio, platform, args.model)
            call = imports.preview if args.dry_run else imports.confirm
            outcome = call(db, actor, data, filename=path.name, format_name=args.format, account_id=account)
    except (ValidationFailed, FileRefused) as exc:
        messages = exc.errors.values() if isinstance(exc, ValidationFailed) else [str(exc)]
        for message in messages:
            print(message, file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if isinstance(outcome, imports.ImportPreview):
        landed, duplicates, refused = outcome.to_land, outcome.duplicates, outcome.refused
        verb = "would land"
    else:
        landed, duplicates, refused = outcome.rows_landed, outcome.rows_duplicate, outcome.refused
        verb = "landed"
    print(
        f"{path.name}: {outcome.rows_read} read, {landed} {verb}, {duplicates} already in, "
        f"{len(refused)} refused"
    )
    for error in refused:
        print(f"line {error.line}: {error.reason}")
    return 0 if not refused else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studioos", description="StudioOS administration")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)

    seed = sub.add_parser("seed-demo", help="load demo data (once)")
    seed.add_argument("--force", action="store_true", help="load again even if demo data exists")
    seed.set_defaults(fn=cmd_seed_demo)

    cu = sub.add_parser("create-user", help="create a user: support staff, or a member of a studio")
    cu.add_argument("--email", required=True)
    cu.add_argument("--name", required=True)
    cu.add_argument("--password", help="read from a prompt when omitted")
    cu.add_argument("--support", action="store_true", help="StudioOS support staff (platform role)")
    cu.add_argument("--studio", type=int, help="studio id, for a studio member")
    cu.add_argument("--role", choices=["owner", "manager", "analyst", "performer"])
    cu.set_defaults(fn=cmd_create_user)

    sub.add_parser("rotate-keys", help="re-encrypt every encrypted field under the newest key").set_defaults(
        fn=cmd_rotate_keys
    )
    sub.add_parser("run-jobs", help="run every scheduled job once now").set_defaults(fn=cmd_run_jobs)
    sub.add_parser("worker", help="run the job scheduler (one active worker at a time)").set_defaults(
        fn=cmd_worker
    )

    imp = sub.add_parser("import", help="import an earnings file (the import page's formats)")
    imp.add_argument("file")
    imp.add_argument("--studio", type=int, required=True, help="the studio's id")
    imp.add_argument("--format", help="the file's format (detected when omitted)")
    imp.add_argument("--model", help="the account's handle, for one account's token history")
    imp.add_argument("--dry-run", action="store_true", help="say what would land; change nothing")
    imp.set_defaults(fn=cmd_import)

    args = parser.parse_args(argv)
    if args.command == "create-user" and not args.support and (args.studio is None or args.role is None):
        parser.error("create-user needs --support, or both --studio and --role")
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
