"""Officers in the bot: linking a chat account with a code, and running the officer conversation with its data."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.officers.accounts import link_with_code, view
from bot.officers.broadcasts import create_broadcast, preview
from bot.officers.rekap import PERMITS, STATES, lacking, rekap
from bot.scheduling.trainings import TrainingPlan, create_training
from bot.storage.models import Officer, OfficerAccount, Owner
from bot.storage.segments import Segment
from conversations import Inbound, InboundKind, Reply
from conversations.i18n import N_, Translator
from conversations.officer import PERMIT_NAMES, CreateBroadcast, CreateTraining, OfficerContext, officer_step
from conversations.understanding.places import RegionDirectory

log = logging.getLogger(__name__)
LINK_COMMAND = re.compile(r"^/?petugas\s+([A-Za-z0-9]{6,12})\s*$", re.IGNORECASE)


def link_command(inbound: Inbound) -> str | None:
    """The code in a "PETUGAS <code>" message, if that is what it is."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    match = LINK_COMMAND.match(inbound.text.strip())
    return match.group(1) if match else None


def try_link(db: Session, code: str, platform: str, external_id: str, now: datetime) -> list[Reply]:
    """Link this chat account to an officer, or say the code is not valid."""
    _ = Translator("id")
    officer = link_with_code(db, code, platform, external_id, now)
    if officer is None:
        return [Reply(_(N_("That officer code is not valid or has expired. Ask your admin for a new one.")))]
    return [Reply(_(N_("Linked: this chat is now the officer account of {name}. Type MENU."), name=officer.name))]


def rekap_text(db: Session, by: str, scope: tuple[str, ...] | None) -> str:
    """The rekap as a short text for a chat."""
    _ = Translator("id")
    table = rekap(db, by, scope)
    titles = {
        "kecamatan": N_("REKAP by kecamatan"),
        "kabupaten": N_("REKAP by kabupaten/kota"),
        "commodity": N_("REKAP by commodity"),
    }
    title = _(titles[by])
    # The four numbers add up to the businesses of the line: "tidak perlu" is never counted as "punya".
    lines = [title, _(N_("(have / in progress / not yet / not needed)")), ""]
    for row in [*table.rows, table.total]:
        label = _(N_("TOTAL")) if row is table.total else row.shown
        lines.append(_(N_("{label}: {count} businesses"), label=label, count=row.businesses))
        parts = []
        for permit in PERMITS:
            counts = "/".join(str(row.permits[permit][state]) for state in STATES)
            parts.append(f"{PERMIT_NAMES[permit]} {counts}")
        lines.append("  " + " · ".join(parts))
    if table.needs:
        lines += ["", _(N_("Needs: {needs}"), needs=", ".join(f"{k} {v}" for k, v in sorted(table.needs.items())))]
    return "\n".join(lines)


def rekap_chart_file(db: Session, by: str, scope: tuple[str, ...] | None, media_dir: Path) -> str | None:
    """Draw the NIB rekap as a PNG in the media folder; its reference, or None when drawing fails."""
    _ = Translator("id")
    try:
        from bot.officers.charts import rekap_chart

        labels = {
            "have": _(N_("have")),
            "processing": _(N_("in progress")),
            "lack": _(N_("not yet")),
            "not_needed": _(N_("not needed")),
        }
        titles = {
            "kecamatan": N_("NIB by kecamatan"),
            "kabupaten": N_("NIB by kabupaten/kota"),
            "commodity": N_("NIB by commodity"),
        }
        title = _(titles[by])
        image = rekap_chart(rekap(db, by, scope), "nib", title, labels)
    except Exception:  # noqa: BLE001  (the text rekap is already on its way; a chart is a bonus)
        log.exception("could not draw the rekap chart")
        return None
    folder = media_dir / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rekap-{uuid.uuid4().hex}.png"
    path.write_bytes(image)
    return f"file:{path}"


def lacking_text(db: Session, permit: str, kecamatan: str | None, scope: tuple[str, ...] | None) -> str:
    """Who lacks a permit, with contacts and the date of their last report."""
    _ = Translator("id")
    rows = lacking(db, permit, scope, kecamatan)
    lines = [_(N_("Without {permit}: {count} businesses"), permit=PERMIT_NAMES[permit], count=len(rows))]
    for row in rows[:30]:
        last = _.date(row.last_report_at) if row.last_report_at else "-"
        lines.append(f"• {row.owner_name} – {row.business_name} – {row.phone} – {row.kecamatan} – {last}")
    if len(rows) > 30:
        lines.append(_(N_("…and {more} more: use the export for the full list."), more=len(rows) - 30))
    return "\n".join(lines)


def handle_officer(
    db: Session,
    officer: Officer,
    account: OfficerAccount,
    inbound: Inbound,
    settings: Settings,
    regions: RegionDirectory,
    now: datetime,
) -> list[Reply]:
    """One step of the officer conversation; what it decides is stored in the same transaction."""
    me = view(officer)

    def count(segment_json: dict[str, Any]) -> tuple[int, int, list[str]]:
        audience = preview(db, Segment.from_json(segment_json), me.kecamatan_scope, sample=3)
        names = [db.get(Owner, i).name or "-" for i in audience.sample]  # type: ignore[union-attr]
        return audience.reachable, audience.unreachable, names

    ctx = OfficerContext(
        now=now,
        name=officer.name,
        role=officer.role,
        scope=me.kecamatan_scope,
        regions=regions,
        timezone=settings.default_timezone,
        rekap_text=lambda by: rekap_text(db, by, me.kecamatan_scope),
        rekap_chart=lambda by: rekap_chart_file(db, by, me.kecamatan_scope, Path(settings.media_dir)),
        lacking_text=lambda permit, kecamatan: lacking_text(db, permit, kecamatan, me.kecamatan_scope),
        count=count,
    )
    result = officer_step(dict(account.state or {}), inbound, ctx)
    for effect in result.effects:
        if not me.can_send:
            continue  # viewers never get here through the menu; refuse all the same
        segment = Segment.from_json(effect.segment).restricted_to(me.kecamatan_scope)
        if isinstance(effect, CreateBroadcast):
            create_broadcast(db, me.id, settings.office_name, effect.text, segment, None, effect.send_at, now)
        elif isinstance(effect, CreateTraining):
            plan = TrainingPlan(
                title=effect.title,
                starts_at=effect.starts_at,
                ends_at=effect.starts_at + timedelta(hours=effect.hours),
                place=effect.place,
                capacity=effect.capacity,
                description=None,
                segment=segment,
                timezone=settings.default_timezone,
            )
            create_training(db, plan, f"officer:{me.id}", now)
    account.state = result.state
    db.add(account)
    return result.replies
