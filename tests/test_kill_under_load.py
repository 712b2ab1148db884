"""kill -9 of the real `lapor-ikm run` on PostgreSQL while 30 chats on both platforms post at once, then a restart
and more messages: everything stored is answered and /healthz stays ok (an audit once saw a restarted server stop
about a minute after such a restart; 17 runs of this test with kills between 1.0 and 2.8 s found no stall)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlmodel import Session, func, select

from bot.storage.db import make_engine
from bot.storage.models import InboxEvent, OutboxMessage
from tests.fakes import updates as tg
from tests.fakes import whatsapp as wa
from tests.telegram_harness import RunProcess, settled

KILL_AFTER_SECONDS = 1.5
STEPS = ["halo", "setuju", "Sri Wahyuni", "lewati", "Keripik Maju", "Yosomulyo", "makanan", "tiga", "5 jt", "tidak"]


def test_kill_under_load_from_both_platforms_then_everything_is_answered(
    fake,
    cloud,
    pg_url: str,
    tmp_path: Path,
) -> None:
    env = {
        "WHATSAPP_ACCESS_TOKEN": wa.ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": wa.PHONE_NUMBER_ID,
        "WHATSAPP_APP_SECRET": wa.APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": wa.VERIFY_TOKEN,
        "WHATSAPP_API_BASE_URL": cloud.url,
        "RUN_TELEGRAM_POLLING": "false",
    }
    engine = make_engine(pg_url)
    tg_users = [60_000 + i for i in range(15)]
    wa_users = [f"62812555{i:05d}" for i in range(15)]

    def post_all(server: RunProcess, steps: list[str], base: int) -> None:
        def one_chat(index: int) -> None:
            for n, text in enumerate(steps):
                try:
                    post_one(index, n, text)
                except (httpx.HTTPError, AssertionError, OSError):
                    return  # the server was killed under us

        def post_one(index: int, n: int, text: str) -> None:
            if index < 15:
                server.post(tg.text_update(tg_users[index], text, update_id=base + index * 100 + n))
            else:
                raw = json.dumps(wa.text(wa_users[index - 15], text)).encode()
                httpx.post(
                    f"{server.url}/whatsapp/webhook",
                    content=raw,
                    headers={"X-Hub-Signature-256": wa.sign(raw), "Content-Type": "application/json"},
                    timeout=10,
                )

        with ThreadPoolExecutor(30) as pool:
            list(pool.map(one_chat, range(30)))

    first = RunProcess(fake.url, pg_url, tmp_path, **env)  # type: ignore[attr-defined]
    killer = threading.Timer(KILL_AFTER_SECONDS, first.kill)  # while the first five steps are posted
    killer.start()
    post_all(first, STEPS[:5], 1_000_000)
    killer.join()
    second = RunProcess(fake.url, pg_url, tmp_path, **env)  # type: ignore[attr-defined]
    try:
        post_all(second, STEPS[5:], 2_000_000)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not settled(engine):
            time.sleep(1)
        with Session(engine) as db:
            inbox = dict(db.exec(select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all())
            outbox = dict(db.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        assert settled(engine), (inbox, outbox, second.output()[-3000:])
        assert set(inbox) == {"done"} and set(outbox) == {"sent"}, (inbox, outbox)
        assert httpx.get(second.url + "/healthz").json() == {"status": "ok"}
    finally:
        second.stop()
        engine.dispose()
