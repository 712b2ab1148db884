"""The officers' commands as an officer types them: broadcast, training, officer, export and rekap.

Each command runs on the real `lapor-ikm` app, either in-process through Typer's CliRunner or as a subprocess of the
installed script, against a real SQLite file (PostgreSQL for the send and create commands too). Each test checks the
exit status, what was printed, and the rows the command wrote, or that it wrote none when it refused.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from bot.cli.app import app
from bot.clock import utcnow
from bot.config import get_settings
from bot.officers.sessions import open_session
from bot.storage.db import make_engine
from bot.storage.models import (
    AuditLog,
    Broadcast,
    Business,
    Invitation,
    Officer,
    OfficerSession,
    OutboxMessage,
    Owner,
    Reminder,
    Training,
)
from bot.storage.regions import DEMO_REGION_FILES, load_region_files
from tests.seed import seed_owner

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("lapor-ikm")
METRO_PUSAT, METRO_TIMUR, SELEBAR = "18.72.01", "18.72.04", "17.71.01"
YOSOREJO = "18.72.04.1004"  # a kelurahan of Metro Timur
OFFICE = "Dinas Koperasi dan UKM Kota Metro"


def environment(db_url: str) -> dict[str, str]:
    """The environment a deployment's officer has: the database and the office, nothing from a developer's setup."""
    env = {k: v for k, v in os.environ.items() if k not in ("REGIONS_FILE", "DEFAULT_TIMEZONE")}
    return {**env, "DATABASE_URL": db_url, "OFFICE_NAME": OFFICE, "PYTHONPATH": str(ROOT)}


def lapor(args: list[str], db_url: str, answer: str | None = None) -> Result:
    """`lapor-ikm ARGS` in this process (the real Typer app), with `answer` typed at any question."""
    get_settings.cache_clear()
    try:
        env = {"DATABASE_URL": db_url, "OFFICE_NAME": OFFICE, "REGIONS_FILE": None, "DEFAULT_TIMEZONE": None}
        return CliRunner().invoke(app, args, input=answer, env=env)
    finally:
        get_settings.cache_clear()


def lapor_process(
    args: list[str], db_url: str, answer: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`lapor-ikm ARGS` as a separate process of the installed script, as an officer runs it."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot"]
    return subprocess.run(
        [*command, *args],
        input=answer,
        capture_output=True,
        text=True,
        env=environment(db_url),
        cwd=cwd,
        timeout=120,
        check=False,
    )


def utc(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite gives it back without its zone)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def seed(url: str) -> dict[str, int]:
    """Four consenting owners with the demo regions: three in Kota Metro, one in Kota Bengkulu."""
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            load_region_files(db, DEMO_REGION_FILES)
            sri = seed_owner(db, "Sri", METRO_TIMUR, "makanan", nib="belum", pirt="diurus", needs=("kemasan",))
            budi = seed_owner(db, "Budi", METRO_TIMUR, "kerajinan", nib="terbit", needs=("modal",))
            ani = seed_owner(db, "Ani", METRO_PUSAT, "makanan", nib=None)
            wati = seed_owner(db, "Wati", SELEBAR, "minuman", nib="terbit", platform="whatsapp")
            business = db.exec(select(Business).where(Business.owner_id == sri.id)).one()
            business.kelurahan_code = YOSOREJO
            db.add(business)
            db.commit()
            return {"sri": sri.id, "budi": budi.id, "ani": ani.id, "wati": wati.id}  # type: ignore[dict-item]
    finally:
        engine.dispose()


@pytest.fixture
def owner_ids(sqlite_url: str) -> dict[str, int]:
    """The seeded owners' ids by name, in a migrated SQLite file with the demo regions."""
    return seed(sqlite_url)


@pytest.fixture
def owners_db(sqlite_url: str, owner_ids: dict[str, int]) -> str:
    """The URL of the SQLite file holding the seeded owners."""
    return sqlite_url


@pytest.fixture
def read(owners_db: str) -> Iterator[Engine]:
    """An engine to look at what the commands wrote."""
    engine = make_engine(owners_db)
    yield engine
    engine.dispose()


def rows(engine: Engine, model: Any) -> list[Any]:
    """Every row of a table, oldest first."""
    with Session(engine) as db:
        return list(db.exec(select(model).order_by(model.id)).all())


def refused(result: Result | subprocess.CompletedProcess[str], *phrases: str) -> None:
    """A refusal: status 1, one line on stderr holding `phrases`, nothing on stdout, no traceback."""
    code = result.returncode if isinstance(result, subprocess.CompletedProcess) else result.exit_code
    assert code == 1, (code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


# --- broadcast send -------------------------------------------------------------------------------------------------


def test_broadcast_send_answered_yes_queues_one_message_per_owner_and_prints_its_id(
    owners_db: str, owner_ids: dict[str, int], read: Engine, tmp_path: Path
) -> None:
    result = lapor_process(
        ["broadcast", "send", "--text", "Pelatihan kemasan Senin", "--kecamatan", "Metro Timur"],
        owners_db,
        answer="y\n",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "Kecamatan 'Metro Timur': Metro Timur (18.72.04)."
    (broadcast,) = rows(read, Broadcast)
    assert result.stdout.startswith("2 owners will receive it.\nSend? [y/N]: ")
    assert result.stdout.endswith(f"Broadcast {broadcast.id} queued for 2 owners.\n")
    assert broadcast.segment == {"kecamatan": [METRO_TIMUR]}
    assert (broadcast.recipients, broadcast.status, broadcast.text) == (2, "sending", "Pelatihan kemasan Senin")
    messages = rows(read, OutboxMessage)
    assert {m.owner_id for m in messages} == {owner_ids["sri"], owner_ids["budi"]}
    assert all(m.broadcast_id == broadcast.id and m.status == "queued" and m.kind == "broadcast" for m in messages)
    assert all("Pelatihan kemasan Senin" in m.payload["text"] and OFFICE in m.payload["text"] for m in messages)


def test_broadcast_send_with_yes_and_at_is_scheduled_in_local_time(
    owners_db: str, owner_ids: dict[str, int], read: Engine
) -> None:
    result = lapor(
        [
            "broadcast", "send", "--text", "Info NIB gratis", "--yes", "--at", "2030-01-07 09:00",
            "--commodity", "Makanan", "--permit", "NIB:belum",
        ],
        owners_db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (broadcast,) = rows(read, Broadcast)
    assert result.stdout == (
        f"2 owners will receive it.\nBroadcast {broadcast.id} queued for 2 owners, to go at 2030-01-07 09:00.\n"
    )
    assert broadcast.status == "scheduled" and broadcast.recipients == 2
    assert utc(broadcast.scheduled_at) == datetime(2030, 1, 7, 2, 0, tzinfo=UTC)  # 09:00 WIB
    assert broadcast.segment == {"commodity": ["makanan"], "permits": ["nib:belum"]}
    messages = rows(read, OutboxMessage)
    assert {m.owner_id for m in messages} == {owner_ids["sri"], owner_ids["ani"]}  # Ani never reported an NIB
    assert {utc(m.not_before) for m in messages} == {datetime(2030, 1, 7, 2, 0, tzinfo=UTC)}


def test_broadcast_send_answered_no_writes_nothing(owners_db: str, read: Engine) -> None:
    result = lapor(["broadcast", "send", "--text", "Halo"], owners_db, answer="n\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 owners will receive it.\nSend? [y/N]: n\nNothing sent.\n"
    assert rows(read, Broadcast) == [] and rows(read, OutboxMessage) == []


@pytest.mark.parametrize(
    ("typed", "code", "note"),
    [
        (["--kecamatan", METRO_TIMUR], {"kecamatan": [METRO_TIMUR]}, ""),
        (["--kecamatan", "metro timur"], {"kecamatan": [METRO_TIMUR]}, "Metro Timur (18.72.04)"),
        (["--kecamatan", "Kec. Metro Timr"], {"kecamatan": [METRO_TIMUR]}, "Metro Timur (18.72.04)"),
        (
            ["--kecamatan", "Metro Timur", "--kelurahan", "yosorejo"],
            {"kecamatan": [METRO_TIMUR], "kelurahan": [YOSOREJO]},
            "Yosorejo (18.72.04.1004, kec. Metro Timur)",
        ),
        (["--kelurahan", "Kel. Yosorejo"], {"kelurahan": [YOSOREJO]}, "Yosorejo (18.72.04.1004, kec. Metro Timur)"),
    ],
)
def test_a_place_given_by_name_or_with_a_typo_is_stored_as_its_code(
    owners_db: str, read: Engine, typed: list[str], code: dict[str, list[str]], note: str
) -> None:
    result = lapor(["broadcast", "send", "--text", "Halo", "--yes", *typed], owners_db)
    assert result.exit_code == 0, result.output
    (broadcast,) = rows(read, Broadcast)
    assert broadcast.segment == code
    assert note in result.stderr and (note or result.stderr == "")
    expected = 1 if "kelurahan" in code else 2  # only Sri's business lies in Yosorejo
    assert broadcast.recipients == expected == len(rows(read, OutboxMessage))
    assert f"Broadcast {broadcast.id} queued for {expected} owners." in result.stdout


@pytest.mark.parametrize(
    ("typed", "phrases"),
    [
        (["--kecamatan", "Bandung"], ["Unknown kecamatan 'Bandung'", "closest: "]),
        (["--kecamatan", "18.72.09"], ["Unknown kecamatan '18.72.09'", "Metro Timur (18.72.04)"]),
        (["--kecamatan", "Metro"], ["Kecamatan 'Metro' matches several", "Metro Pusat (18.72.01)", "Metro Timur"]),
        (
            ["--kecamatan", "Metro Timur", "--kelurahan", "Metro"],
            ["Kelurahan 'Metro' is not in kec. Metro Timur", "Metro (18.72.01.1001, kec. Metro Pusat)"],
        ),
        (
            ["--kecamatan", METRO_TIMUR, "--kelurahan", "18.72.01.1001"],
            ["Kelurahan 18.72.01.1001 (Metro) lies in kec. Metro Pusat, not in kec. Metro Timur"],
        ),
        (["--kelurahan", "Hadimulyo"], ["Kelurahan 'Hadimulyo' matches several", "Hadimulyo Barat", "Hadimulyo Timur"]),
        (["--commodity", "food"], ["Unknown commodity 'food'", "makanan, minuman, batik_tenun, konveksi, kerajinan"]),
        (["--permit", "nib:sudah"], ["Unknown permit filter 'nib:sudah'", "nib, pirt, halal, bpom, merek", "belum"]),
        (["--permit", "sku"], ["Unknown permit filter 'sku'"]),
        (["--need", "uang"], ["Unknown need 'uang'", "kemasan, pemasaran, modal"]),
        (["--need", "tidak_ada"], ["Unknown need 'tidak_ada'"]),
        (["--at", "besok pagi"], ["Cannot read the time 'besok pagi'", "YYYY-MM-DD HH:MM"]),
        (["--text", "   "], ["The announcement is empty"]),
    ],
)
def test_broadcast_send_refuses_what_it_cannot_use_and_writes_nothing(
    owners_db: str, read: Engine, typed: list[str], phrases: list[str]
) -> None:
    result = lapor(["broadcast", "send", "--text", "Halo", "--yes", *typed], owners_db)
    refused(result, *phrases)
    assert rows(read, Broadcast) == [] and rows(read, OutboxMessage) == []


# --- broadcast status, cancel, resend-failed ------------------------------------------------------------------------


def test_broadcast_status_resend_failed_and_cancel(owners_db: str, read: Engine) -> None:
    sent = lapor(["broadcast", "send", "--text", "Halo", "--yes", "--at", "2030-01-07 09:00"], owners_db)
    assert sent.exit_code == 0, sent.output
    (broadcast,) = rows(read, Broadcast)
    first = rows(read, OutboxMessage)[0]
    with Session(read) as db:
        message = db.get(OutboxMessage, first.id)
        message.status, message.error = "failed", "403"  # type: ignore[union-attr]
        db.add(message)
        db.commit()

    status = lapor(["broadcast", "status", str(broadcast.id)], owners_db)
    assert status.exit_code == 0, status.output
    assert status.stdout == f"Broadcast {broadcast.id} (scheduled), 4 recipients: failed 1, queued 3\n"

    resent = lapor(["broadcast", "resend-failed", str(broadcast.id)], owners_db)
    assert (resent.exit_code, resent.stdout) == (0, "1 messages queued again.\n")
    assert {m.status for m in rows(read, OutboxMessage)} == {"queued"}

    cancelled = lapor(["broadcast", "cancel", str(broadcast.id)], owners_db)
    assert cancelled.exit_code == 0, cancelled.output
    assert cancelled.stdout == f"Broadcast {broadcast.id} cancelled; 4 messages held back.\n"
    assert rows(read, Broadcast)[0].status == "cancelled"
    assert {m.status for m in rows(read, OutboxMessage)} == {"cancelled"}
    audits = [a.action for a in rows(read, AuditLog)]

    refused(lapor(["broadcast", "cancel", str(broadcast.id)], owners_db), "is cancelled already")
    refused(lapor(["broadcast", "resend-failed", str(broadcast.id)], owners_db), "is cancelled")
    for command in ("status", "cancel", "resend-failed"):
        refused(lapor(["broadcast", command, "999"], owners_db), "No broadcast 999.")
    assert [a.action for a in rows(read, AuditLog)] == audits  # the refusals wrote nothing
    assert {m.status for m in rows(read, OutboxMessage)} == {"cancelled"}


# --- training -------------------------------------------------------------------------------------------------------


def test_training_create_invites_the_segment_and_prints_its_id(
    owners_db: str, owner_ids: dict[str, int], read: Engine
) -> None:
    result = lapor(
        [
            "training", "create", "--title", "Pelatihan Kemasan", "--start", "2030-12-10 09:30",
            "--place", "Aula Dinas", "--capacity", "20", "--kecamatan", "metro timur", "--need", "Kemasan",
        ],
        owners_db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (training,) = rows(read, Training)
    assert result.stdout == f"Training {training.id} created; 1 owners invited.\n"
    assert "Metro Timur (18.72.04)" in result.stderr
    assert (training.title, training.place, training.capacity, training.status) == (
        "Pelatihan Kemasan",
        "Aula Dinas",
        20,
        "scheduled",
    )
    assert utc(training.starts_at) == datetime(2030, 12, 10, 2, 30, tzinfo=UTC)
    assert utc(training.ends_at) == datetime(2030, 12, 10, 5, 30, tzinfo=UTC)
    assert training.segment == {"kecamatan": [METRO_TIMUR], "needs": ["kemasan"]}
    invitations = rows(read, Invitation)
    assert [(i.training_id, i.owner_id, i.status) for i in invitations] == [(training.id, owner_ids["sri"], "invited")]


def test_training_create_dry_run_counts_and_writes_nothing(owners_db: str, read: Engine) -> None:
    args = ["training", "create", "--title", "T", "--start", "2030-12-10 09:30", "--place", "Aula", "--dry-run"]
    result = lapor([*args, "--kecamatan", "Metro Pusat", "--kecamatan", "Metro Timur"], owners_db)
    assert (result.exit_code, result.stdout) == (0, "3 owners would be invited.\n")
    assert rows(read, Training) == [] and rows(read, Invitation) == []


@pytest.mark.parametrize(
    ("typed", "phrases"),
    [
        (["--kecamatan", "Metro Tengah"], ["Unknown kecamatan 'Metro Tengah'", "closest: "]),
        (["--commodity", "kuliner"], ["Unknown commodity 'kuliner'"]),
        (["--start", "10/12/2030"], ["Cannot read the time '10/12/2030'"]),
        (["--timezone", "Asia/Bengkulu"], ["Unknown time zone 'Asia/Bengkulu'"]),
        (["--hours", "0"], ["--hours must be more than 0"]),
        (["--capacity", "0"], ["--capacity must be at least 1"]),
    ],
)
def test_training_create_refuses_what_it_cannot_use_and_writes_nothing(
    owners_db: str, read: Engine, typed: list[str], phrases: list[str]
) -> None:
    args = ["training", "create", "--title", "T", "--start", "2030-12-10 09:30", "--place", "Aula", *typed]
    refused(lapor(args, owners_db), *phrases)
    assert rows(read, Training) == [] and rows(read, Invitation) == [] and rows(read, Reminder) == []


def test_training_list_show_move_and_cancel(owners_db: str, owner_ids: dict[str, int], read: Engine) -> None:
    args = ["training", "create", "--title", "Kelas Halal", "--start", "2030-12-10 09:30", "--place", "Aula"]
    assert lapor([*args, "--kecamatan", METRO_TIMUR], owners_db).exit_code == 0
    (training,) = rows(read, Training)
    with Session(read) as db:
        invitation = db.exec(select(Invitation).where(Invitation.owner_id == owner_ids["sri"])).one()
        invitation.status = "yes"
        db.add(invitation)
        db.commit()

    listed = lapor(["training", "list"], owners_db)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == (
        f"{training.id}\t2030-12-10 09:30\tscheduled\tKelas Halal\tyes 1, waitlist 0, maybe 0, no 0, no answer 1\n"
    )
    shown = lapor(["training", "show", str(training.id)], owners_db)
    assert shown.exit_code == 0, shown.output
    lines = sorted(line.split("\t")[:4] for line in shown.stdout.splitlines())
    assert lines == sorted(
        [[str(owner_ids["sri"]), "Sri", "-", "yes"], [str(owner_ids["budi"]), "Budi", "-", "invited"]]
    )
    with Session(read) as db:  # Budi withdraws consent: no longer named, only counted
        budi = db.get(Owner, owner_ids["budi"])
        budi.consent_status = "withdrawn"
        db.add(budi)
        db.commit()
    shown = lapor(["training", "show", str(training.id)], owners_db).stdout
    assert "Budi" not in shown and "1 more invitees withdrew their consent or erased their data" in shown
    assert shown.splitlines()[0].split("\t")[:2] == [str(owner_ids["sri"]), "Sri"]

    moved = lapor(["training", "move", str(training.id), "--start", "2030-12-11 13:00", "--hours", "2"], owners_db)
    assert (moved.exit_code, moved.stdout) == (0, f"Training {training.id} moved; 1 owners will be told.\n")
    training = rows(read, Training)[0]
    assert utc(training.starts_at) == datetime(2030, 12, 11, 6, 0, tzinfo=UTC)
    assert utc(training.ends_at) == datetime(2030, 12, 11, 8, 0, tzinfo=UTC)

    cancelled = lapor(["training", "cancel", str(training.id)], owners_db)
    assert (cancelled.exit_code, cancelled.stdout) == (0, f"Training {training.id} cancelled; 1 owners will be told.\n")
    assert rows(read, Training)[0].status == "cancelled"
    told = [(r.owner_id, r.kind) for r in rows(read, Reminder) if r.kind in ("training_moved", "training_cancelled")]
    assert sorted(told) == [(owner_ids["sri"], "training_cancelled"), (owner_ids["sri"], "training_moved")]

    reminders = len(rows(read, Reminder))
    refused(lapor(["training", "cancel", str(training.id)], owners_db), f"Training {training.id} is cancelled")
    refused(
        lapor(["training", "move", str(training.id), "--start", "2030-12-12 09:00"], owners_db),
        "is cancelled",
    )
    for command in (["show", "999"], ["cancel", "999"], ["move", "999", "--start", "2030-12-12 09:00"]):
        refused(lapor(["training", *command], owners_db), "No training 999.")
    assert len(rows(read, Reminder)) == reminders
    assert utc(rows(read, Training)[0].starts_at) == datetime(2030, 12, 11, 6, 0, tzinfo=UTC)


# --- officer --------------------------------------------------------------------------------------------------------


def test_officer_add_stores_the_code_of_a_kecamatan_given_by_name(owners_db: str, read: Engine) -> None:
    result = lapor(["officer", "add", "--username", "sari", "--name", "Sari", "--kecamatan", "Metro Pusat"], owners_db)
    assert result.exit_code == 0, result.output
    (officer,) = rows(read, Officer)
    assert (officer.username, officer.role, officer.kecamatan_scope) == ("sari", "officer", [METRO_PUSAT])
    lines = result.stdout.splitlines()
    assert lines[0] == f"Officer {officer.id} (officer) created, covering {METRO_PUSAT}."
    assert re.fullmatch(r"To use the bot, .* within 24 hours: PETUGAS [A-Z2-9]{8}", lines[1])
    assert officer.link_code_hash and officer.link_code_expires

    listed = lapor(["officer", "list"], owners_db)
    assert (listed.exit_code, listed.stdout) == (0, f"{officer.id}\tsari\tSari\tofficer\t{METRO_PUSAT}\n")

    linked = lapor(["officer", "link-code", "sari"], owners_db)
    assert linked.exit_code == 0 and re.fullmatch(r"PETUGAS [A-Z2-9]{8}\n", linked.stdout), linked.output
    assert rows(read, Officer)[0].link_code_hash != officer.link_code_hash


@pytest.mark.parametrize(
    ("typed", "phrases"),
    [
        (["--kecamatan", "Metro Tengah"], ["Unknown kecamatan 'Metro Tengah'"]),
        (["--kecamatan", "Metro"], ["matches several"]),
        (["--role", "boss"], ["Unknown role 'boss'", "admin, officer, viewer"]),
        (["--role", "admin", "--kecamatan", METRO_PUSAT], ["An admin sees every kecamatan"]),
    ],
)
def test_officer_add_refuses_and_writes_nothing(
    owners_db: str, read: Engine, typed: list[str], phrases: list[str]
) -> None:
    result = lapor(["officer", "add", "--username", "sari", "--name", "Sari", *typed], owners_db)
    refused(result, *phrases)
    assert rows(read, Officer) == [] and rows(read, AuditLog) == []


def test_officer_username_taken_or_unknown_is_refused(owners_db: str, read: Engine) -> None:
    assert lapor(["officer", "add", "--username", "sari", "--name", "Sari"], owners_db).exit_code == 0
    (before,) = rows(read, Officer)
    again = lapor(["officer", "add", "--username", "sari", "--name", "Sari Lain", "--role", "viewer"], owners_db)
    refused(again, "username 'sari' is taken")
    refused(lapor(["officer", "link-code", "sary"], owners_db), "No officer 'sary'", "known usernames: sari")
    (after,) = rows(read, Officer)
    assert (after.name, after.role, after.link_code_hash) == ("Sari", "officer", before.link_code_hash)


def test_officer_change_ends_their_sessions_and_refuses_what_it_cannot_use(owners_db: str, read: Engine) -> None:
    assert lapor(["officer", "add", "--username", "sari", "--name", "Sari"], owners_db).exit_code == 0
    (officer,) = rows(read, Officer)
    with Session(read) as db:
        open_session(db, officer.id, utcnow())
        open_session(db, officer.id, utcnow())
        db.commit()
    changed = lapor(["officer", "change", "sari", "--role", "viewer", "--kecamatan", "metro pusat"], owners_db)
    assert changed.exit_code == 0, changed.output
    expected = f"Officer sari changed: viewer, covering {METRO_PUSAT}, active; 2 open dashboard sessions ended.\n"
    assert changed.stdout == expected
    with Session(read) as db:
        assert db.exec(select(OfficerSession)).all() == []
    (officer,) = rows(read, Officer)
    assert (officer.role, officer.kecamatan_scope, officer.active) == ("viewer", [METRO_PUSAT], True)
    off = lapor(["officer", "change", "sari", "--inactive", "--all-kecamatan"], owners_db)
    assert off.exit_code == 0 and "covering every kecamatan, switched off" in off.stdout
    refused(lapor(["officer", "change", "sari"], owners_db), "Nothing to change")
    refused(lapor(["officer", "change", "sary", "--active"], owners_db), "No officer 'sary'")
    refused(lapor(["officer", "change", "sari", "--kecamatan", "Metro Tengah"], owners_db), "Unknown kecamatan")
    (after,) = rows(read, Officer)
    assert (after.role, after.kecamatan_scope, after.active) == ("viewer", None, False)


# --- export and rekap -----------------------------------------------------------------------------------------------


def exported(path: Path) -> list[str]:
    """Business names in an export file."""
    with path.open(encoding="utf-8-sig") as handle:
        return sorted(row["business_name"] for row in csv.DictReader(handle))


def test_export_kecamatan_by_name_and_officer_scope(owners_db: str, read: Engine, tmp_path: Path) -> None:
    out = tmp_path / "metro_timur.csv"
    result = lapor(["export", "--output", str(out), "--kecamatan", "Metro Timur"], owners_db)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 2 businesses to {out}.\n"
    assert exported(out) == ["Usaha Budi", "Usaha Sri"]
    (audit,) = rows(read, AuditLog)
    assert (audit.action, audit.actor, audit.detail) == ("export", "cli", {"rows": 2, "kecamatan": [METRO_TIMUR]})

    added = lapor(["officer", "add", "--username", "sari", "--name", "Sari", "--kecamatan", "18.72.01"], owners_db)
    assert added.exit_code == 0, added.output
    scoped = tmp_path / "sari.csv"
    result = lapor(["export", "--output", str(scoped), "--officer", "sari", "--commodity", "makanan"], owners_db)
    assert (result.exit_code, result.stdout) == (0, f"Wrote 1 business to {scoped}.\n")
    assert exported(scoped) == ["Usaha Ani"]


@pytest.mark.parametrize(
    ("typed", "phrases"),
    [
        (["--officer", "nobody"], ["No officer 'nobody'", "known usernames: sari"]),
        (["--kecamatan", "Metro Tengah"], ["Unknown kecamatan 'Metro Tengah'"]),
        (
            ["--officer", "sari", "--kecamatan", "Metro Timur"],
            ["Kecamatan 18.72.04 is outside the officer's scope (18.72.01)"],
        ),
        (["--permit", "pirt:ada"], ["Unknown permit filter 'pirt:ada'"]),
        (["--need", "duit"], ["Unknown need 'duit'"]),
    ],
)
def test_export_refuses_and_writes_no_file(
    owners_db: str, read: Engine, tmp_path: Path, typed: list[str], phrases: list[str]
) -> None:
    added = lapor(["officer", "add", "--username", "sari", "--name", "Sari", "--kecamatan", METRO_PUSAT], owners_db)
    assert added.exit_code == 0, added.output
    audits = len(rows(read, AuditLog))
    out = tmp_path / "out.csv"
    refused(lapor(["export", "--output", str(out), *typed], owners_db), *phrases)
    assert not out.exists()
    assert len(rows(read, AuditLog)) == audits


def test_rekap_counts_and_refuses_an_unknown_grouping(owners_db: str) -> None:
    result = lapor(["rekap", "--by", "commodity"], owners_db)
    assert result.exit_code == 0, result.output
    assert "TOTAL: 4 usaha" in result.stdout
    refused(lapor(["rekap", "--by", "kelurahan"], owners_db), "Unknown --by 'kelurahan'", "kecamatan")


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def test_broadcast_send_and_training_create_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    ids = seed(pg_url)
    engine = make_engine(pg_url)
    try:
        refusal = lapor_process(
            ["broadcast", "send", "--text", "Halo", "--yes", "--kecamatan", "Metro Tengah"], pg_url, cwd=tmp_path
        )
        refused(refusal, "Unknown kecamatan 'Metro Tengah'")
        assert rows(engine, Broadcast) == [] and rows(engine, OutboxMessage) == []

        asked = lapor_process(
            ["broadcast", "send", "--text", "Halo Metro", "--kecamatan", "metro timur"], pg_url, "y\n", tmp_path
        )
        assert asked.returncode == 0, asked.stderr
        forced = lapor_process(
            [
                "broadcast",
                "send",
                "--text",
                "Halo nanti",
                "--yes",
                "--at",
                "2030-01-07 09:00",
                "--commodity",
                "minuman",
            ],
            pg_url,
            cwd=tmp_path,
        )
        assert forced.returncode == 0, forced.stderr
        first, later = rows(engine, Broadcast)
        assert asked.stdout.endswith(f"Broadcast {first.id} queued for 2 owners.\n")
        assert forced.stdout == (
            f"1 owners will receive it.\nBroadcast {later.id} queued for 1 owners, to go at 2030-01-07 09:00.\n"
        )
        assert (first.segment, first.recipients, first.status) == ({"kecamatan": [METRO_TIMUR]}, 2, "sending")
        assert (later.segment, later.recipients, later.status) == ({"commodity": ["minuman"]}, 1, "scheduled")
        assert utc(later.scheduled_at) == datetime(2030, 1, 7, 2, 0, tzinfo=UTC)
        with Session(engine) as db:
            sent = db.exec(select(OutboxMessage.broadcast_id, OutboxMessage.owner_id, OutboxMessage.platform)).all()
        assert sorted(sent) == sorted(
            [
                (first.id, ids["sri"], "telegram"),
                (first.id, ids["budi"], "telegram"),
                (later.id, ids["wati"], "whatsapp"),
            ]
        )

        created = lapor_process(
            [
                "training", "create", "--title", "Kelas NIB", "--start", "2030-12-10 09:30", "--place", "Aula",
                "--permit", "nib:belum", "--kecamatan", "Kec. Metro Timur",
            ],
            pg_url,
            cwd=tmp_path,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        (training,) = rows(engine, Training)
        assert created.stdout == f"Training {training.id} created; 1 owners invited.\n"
        assert training.segment == {"kecamatan": [METRO_TIMUR], "permits": ["nib:belum"]}
        assert utc(training.starts_at) == datetime(2030, 12, 10, 2, 30, tzinfo=UTC)
        with Session(engine) as db:
            invited = db.exec(select(Invitation.owner_id).where(col(Invitation.training_id) == training.id)).all()
        assert invited == [ids["sri"]]
    finally:
        engine.dispose()
