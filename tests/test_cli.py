"""The command line end to end, in subprocesses: console chat with piped stdin, export, regions, db upgrade."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from bot.officers.export import COLUMNS
from tests.test_service_db import REGISTRATION

CLI = [sys.executable, "-m", "bot"]


def run_cli(args: list[str], db_url: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `lapor-ikm ARGS` against `db_url`."""
    env = {**os.environ, "DATABASE_URL": db_url, "OFFICE_NAME": "Dinas Koperasi dan UKM Kota Metro"}
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> str:
    """A SQLite URL whose file does not exist yet (the CLI must create and migrate it)."""
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def test_console_registration_then_continue_in_a_new_process(fresh_sqlite: str, tmp_path: Path) -> None:
    first = run_cli(["chat", "--user", "7"], fresh_sqlite, "\n".join(REGISTRATION[:8]) + "\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "UU" in first.stdout and "Dinas Koperasi dan UKM Kota Metro" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    # No area set: the demo list of Kota Metro alone, so no city question and none of Bengkulu's kecamatan.
    assert "kabupaten atau kota" not in first.stdout and "Selebar" not in first.stdout
    assert "Usaha Bapak/Ibu ada di kecamatan mana?" in first.stdout and "Metro Pusat" in first.stdout
    second = run_cli(["chat", "--user", "7"], fresh_sqlite, "\n".join(REGISTRATION[8:]) + "\n", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert "Rp2.500.000" in out
    assert "0220 0098 61929" in out
    assert "P-IRT No. 2113212010651-29" in out
    assert "Sri Wahyuni" in out and "Yosomulyo" in out


def test_console_simulated_photo_and_sticker_get_polite_answers(fresh_sqlite: str, tmp_path: Path) -> None:
    result = run_cli(["chat", "--user", "8"], fresh_sqlite, "halo\n1\n/stiker\n/foto\n/suara\nSri\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert "Traceback" not in result.stdout + result.stderr
    # Each unusual message is answered and the name question is asked again.
    assert sum("Sri Wahyuni" in block for block in blocks) >= 4


def test_export_csv_and_xlsx(fresh_sqlite: str, tmp_path: Path) -> None:
    run_cli(["chat", "--user", "9"], fresh_sqlite, "\n".join(REGISTRATION) + "\n", cwd=tmp_path)
    csv_path = tmp_path / "usaha.csv"
    result = run_cli(["export", "--format", "csv", "--output", str(csv_path)], fresh_sqlite, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with csv_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0].keys()) == COLUMNS
    row = rows[0]
    assert row["business_name"] == "Keripik Pisang Bu Sri" and row["owner_name"] == "Sri Wahyuni"
    assert row["phone"] == "'+6281234567890"  # a leading + is a formula to a spreadsheet: OWASP's apostrophe
    assert (row["kecamatan"], row["kelurahan"], row["commodity"]) == ("Metro Pusat", "Yosomulyo", "makanan")
    assert (row["nib_status"], row["nib_number"]) == ("terbit", "0220009861929")
    assert (row["pirt_status"], row["pirt_number"], row["pirt_expires"]) == ("terbit", "2113212010651-29", "2029")
    assert (row["halal_status"], row["bpom_status"]) == ("diurus", "tidak_perlu")
    assert row["needs"] == "kemasan; modal" and row["channel"] == "console"
    assert row["registered_at"] and row["last_report_at"]

    xlsx_path = tmp_path / "usaha.xlsx"
    result = run_cli(["export", "--format", "xlsx", "--output", str(xlsx_path)], fresh_sqlite, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote 1 business to ")
    book = load_workbook(xlsx_path, read_only=True)
    assert len(book.sheetnames) == 3  # businesses, products, permits (tests/test_export_full.py reads them)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(values) == 2 and values[1][0] == "Keripik Pisang Bu Sri" and "0220009861929" in values[1]


def test_regions_load_and_db_upgrade_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], pg_url).returncode == 0
    csv_file = tmp_path / "kab.csv"
    csv_file.write_text(
        "kode_kabupaten,kabupaten,kode_kecamatan,kecamatan,kode_kelurahan,kelurahan,jenis,zona_waktu\n"
        "51.03,Kabupaten Badung,51.03.02,Mengwi,51.03.02.2001,Sembung,desa,Asia/Makassar\n",
        encoding="utf-8",
    )
    result = run_cli(["regions", "load", str(csv_file)], pg_url)
    assert result.returncode == 0, result.stderr
    assert "1 kecamatan and 1 kelurahan" in result.stdout
    chat = run_cli(["chat", "--user", "1"], pg_url, "\n".join(REGISTRATION[:5]) + "\nmengwi\n")
    assert "Sembung" in chat.stdout  # the only kelurahan of Mengwi is offered


def test_bad_region_file_is_refused(fresh_sqlite: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("nama\nX\n", encoding="utf-8")
    result = run_cli(["regions", "load", str(bad)], fresh_sqlite, cwd=tmp_path)
    assert result.returncode == 1 and "missing column" in result.stderr


def test_run_without_its_database_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_cli(["run"], "postgresql://postgres@127.0.0.1:1/lapor", cwd=tmp_path)
    assert result.returncode == 1  # systemd and Docker start it again
    assert "Cannot start: OperationalError" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_on_a_postgresql_with_too_few_connections_says_what_to_change(pg_url: str, tmp_path: Path) -> None:
    role = f"lapor_few_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 3")  # superusers have no limit: an ordinary role
        admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    try:
        result = run_cli(["run"], pg_url.replace("postgres@", f"{role}@"), cwd=tmp_path)
        assert result.returncode == 1
        assert "too many connections" in result.stderr and "INBOX_CONCURRENCY" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")
