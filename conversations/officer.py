"""The officers' conversation in the bot: rekap, who lacks which permit, announcements, trainings.

Pure like the owners' engine: read-only queries come in through `OfficerContext` (functions the caller binds to its
database); what must be stored comes out as effects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conversations.events import Choice, Inbound, InboundKind, Reply
from conversations.flows.common import match_choice, normalise
from conversations.i18n import N_, Translator
from conversations.understanding.dates import parse_date
from conversations.understanding.numbers import parse_int
from conversations.understanding.places import Area, RegionDirectory

PERMIT_NAMES = {"nib": "NIB", "pirt": "P-IRT", "halal": "Halal", "bpom": "BPOM", "merek": "Merek"}
COMMODITY_KEYS = ("makanan", "minuman", "batik_tenun", "konveksi", "kerajinan", "lainnya")
ALL = "semua"
MAX_LIST = 30


@dataclass(frozen=True)
class CreateTraining:
    """Create a training and invite its segment."""

    title: str
    starts_at: datetime
    place: str
    capacity: int | None
    segment: dict[str, Any]
    hours: float = 3.0


@dataclass(frozen=True)
class CreateBroadcast:
    """Queue an announcement to a segment."""

    text: str
    segment: dict[str, Any]
    send_at: datetime


OfficerEffect = CreateTraining | CreateBroadcast


@dataclass(frozen=True)
class OfficerContext:
    """What the officer engine may read."""

    now: datetime
    name: str
    role: str
    scope: tuple[str, ...] | None
    regions: RegionDirectory
    timezone: str
    rekap_text: Callable[[str], str]  # "kecamatan", "kabupaten" or "commodity" -> a ready table
    rekap_chart: Callable[[str], str | None]  # the same as a chart image (a media reference), if one can be drawn
    lacking_text: Callable[[str, str | None], str]  # permit, kecamatan -> a list
    # segment -> owners a message reaches, owners in it out of reach (no chat account), a few names
    count: Callable[[dict[str, Any]], tuple[int, int, list[str]]]


@dataclass
class OfficerResult:
    """The new state, the replies and the effects of one officer step."""

    state: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    effects: list[OfficerEffect] = field(default_factory=list)


def officer_step(state: dict[str, Any], inbound: Inbound, ctx: OfficerContext) -> OfficerResult:
    """Handle one message from an officer."""
    _ = Translator("id", ctx.timezone)
    result = OfficerResult(state=dict(state))
    step = result.state.get("step", "menu")
    text = inbound.text.strip() if inbound.kind is InboundKind.TEXT else ""
    if inbound.kind not in (InboundKind.TEXT, InboundKind.CHOICE):
        result.replies.append(Reply(_(N_("Officer mode understands typed messages and buttons only."))))
        result.replies.append(_ask(step, result.state, ctx))
        return result
    if normalise(text) in ("menu", "batal", "/menu", "kembali") or not result.state:
        result.state = {"step": "menu"}
        result.replies.append(_ask("menu", result.state, ctx))
        return result
    prompt = _ask(step, result.state, ctx)
    choice = inbound.choice_id if inbound.kind is InboundKind.CHOICE else match_choice(text, prompt.choices)
    if inbound.kind is InboundKind.CHOICE and choice not in {c.id for c in prompt.choices}:
        choice = None
    handler = _HANDLERS.get(step, _menu)
    problem = handler(result, ctx, text, choice)
    if problem:
        result.replies.append(Reply(problem))
        result.replies.append(_ask(step, result.state, ctx))
        return result
    if not any(r.choices for r in result.replies) or result.state.get("step") != step:
        result.replies.append(_ask(result.state.get("step", "menu"), result.state, ctx))
    return result


# --- prompts --------------------------------------------------------------------------------------------------
def _several_regencies(ctx: OfficerContext) -> bool:
    """Whether the kecamatan this officer sees lie in more than one regency (a province's Dinas, say)."""
    seen = {a.regency_code for a in ctx.regions.kecamatan() if ctx.scope is None or a.code in ctx.scope}
    return len(seen) > 1


def _visible_regencies(ctx: OfficerContext) -> list[Area]:
    """The regencies and cities holding kecamatan this officer sees."""
    seen = {a.regency_code for a in ctx.regions.kecamatan() if ctx.scope is None or a.code in ctx.scope}
    return [r for r in ctx.regions.regencies() if r.code in seen]


def _choosing_regency(state: dict[str, Any], ctx: OfficerContext) -> bool:
    """Whether the place question asks the regency first: an officer who sees several, none chosen yet (a province
    officer is not handed 117 kecamatan at once)."""
    return "regency" not in state and _several_regencies(ctx)


def _area_prompt(state: dict[str, Any], ctx: OfficerContext) -> Reply:
    """Which kabupaten/kota (first, where the officer sees several), then which kecamatan."""
    _ = Translator("id")
    if _choosing_regency(state, ctx):
        everyone = _(N_("All my kecamatan")) if ctx.scope is not None else _(N_("All kabupaten/kota"))
        regencies = (Choice(r.code, r.name) for r in _visible_regencies(ctx))
        return Reply(_(N_("Which kabupaten/kota?")), (Choice(ALL, everyone), *regencies))
    regency = ctx.regions.get(state.get("regency"))
    areas = [
        a for a in ctx.regions.kecamatan(regency.code if regency else None) if ctx.scope is None or a.code in ctx.scope
    ]
    if regency is not None:
        everyone = _(N_("All of {regency}"), regency=regency.name)
    else:
        everyone = _(N_("All my kecamatan")) if ctx.scope is not None else _(N_("All kecamatan"))
    return Reply(_(N_("Which kecamatan?")), (Choice(ALL, everyone), *(Choice(a.code, a.name) for a in areas)))


def _chosen_area(result: OfficerResult, ctx: OfficerContext, choice: str | None) -> tuple[str, str | None] | None:
    """What the place question's answer names: ("regency", code), ("kecamatan", code) or ("all", None); None when
    the answer only chose the regency whose kecamatan are asked next (the step stays)."""
    state = result.state
    if _choosing_regency(state, ctx):
        if choice == ALL:
            return ("all", None)
        state["regency"] = choice
        return None
    regency = state.pop("regency", None)
    if choice == ALL:
        return ("regency", regency) if regency else ("all", None)
    return ("kecamatan", choice)


def _ask(step: str, state: dict[str, Any], ctx: OfficerContext) -> Reply:
    _ = Translator("id", ctx.timezone)
    if step == "menu":
        choices = [
            Choice("rekap", _(N_("Rekap by kecamatan"))),
            Choice("rekap_komoditas", _(N_("Rekap by commodity"))),
            Choice("belum", _(N_("Who lacks a permit"))),
        ]
        if ctx.role in ("admin", "officer"):
            choices += [Choice("siaran", _(N_("Send an announcement"))), Choice("latihan", _(N_("Create a training")))]
        if _several_regencies(ctx):  # last, so that the numbers officers know keep their meaning
            choices.append(Choice("rekap_kabupaten", _(N_("Rekap by kabupaten/kota"))))
        return Reply(_(N_("Officer menu, {name}. What do you need?"), name=ctx.name), tuple(choices))
    if step == "belum.permit":
        return Reply(_(N_("Which permit?")), tuple(Choice(k, v) for k, v in PERMIT_NAMES.items()))
    if step in ("belum.kecamatan", "siaran.kecamatan", "latihan.kecamatan"):
        return _area_prompt(state, ctx)
    if step in ("siaran.commodity", "latihan.commodity"):
        choices = (Choice(ALL, _(N_("All commodities"))), *(Choice(k, k.replace("_", " & ")) for k in COMMODITY_KEYS))
        return Reply(_(N_("Which commodity?")), choices)
    if step == "siaran.permit":
        choices = (
            Choice(ALL, _(N_("Everyone"))),
            *(Choice(f"{k}:belum", _(N_("No {permit} yet"), permit=v)) for k, v in PERMIT_NAMES.items()),
            Choice("pirt:habis", _(N_("P-IRT ends this year"))),
        )
        return Reply(_(N_("Only owners who lack a permit?")), choices)
    if step == "siaran.text":
        return Reply(_(N_("Type the announcement (one message, at most 1000 characters).")))
    if step in ("siaran.confirm", "latihan.confirm"):
        count, unreachable, sample = ctx.count(state.get("segment", {}))
        names = ", ".join(sample) if sample else "-"
        what = state.get("text") if step == "siaran.confirm" else state.get("title")
        text = _(N_("{count} owners will receive it, for example: {names}."), count=count, names=names)
        if unreachable:
            text += "\n" + _(
                N_("{count} more cannot be reached: no Telegram or WhatsApp account yet."), count=unreachable
            )
        text += f"\n\n{what}"
        choices = [Choice("kirim", _(N_("Send now") if step == "siaran.confirm" else N_("Create and invite")))]
        if step == "siaran.confirm":
            choices.append(Choice("jadwal", _(N_("Schedule"))))
        choices.append(Choice("batal", _(N_("Cancel"))))
        return Reply(text, tuple(choices))
    if step == "siaran.when":
        return Reply(_(N_("On which day should it go (at 09:00)? Example: besok, 1 Desember")))
    prompts = {
        "latihan.title": N_("Title of the training? Example: Pelatihan Kemasan Modern"),
        "latihan.date": N_("Date? Example: 10 Desember 2026"),
        "latihan.time": N_("Start time? Example: 09.00"),
        "latihan.place": N_("Where? Example: Aula Dinas Koperasi"),
        "latihan.capacity": N_("How many seats? Type a number, or 0 for no limit."),
    }
    return Reply(_(prompts.get(step, N_("Officer menu."))))


# --- handlers: return a problem text, or None after moving state on ----------------------------------------
Handler = Callable[[OfficerResult, OfficerContext, str, str | None], str | None]


def _menu(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    _ = Translator("id", ctx.timezone)
    state = result.state
    groups = {"rekap": "kecamatan", "rekap_kabupaten": "kabupaten", "rekap_komoditas": "commodity"}
    if choice in groups and (choice != "rekap_kabupaten" or _several_regencies(ctx)):
        by = groups[choice]
        result.replies.append(Reply(ctx.rekap_text(by)))
        chart = ctx.rekap_chart(by)
        if chart:
            result.replies.append(Reply(_(N_("NIB per group: have, in progress, not yet, not needed.")), image=chart))
        state.update(step="menu")
        return None
    if choice == "belum":
        state.update(step="belum.permit")
        return None
    if choice in ("siaran", "latihan") and ctx.role in ("admin", "officer"):
        state.clear()
        state.update(step="siaran.text" if choice == "siaran" else "latihan.title")
        return None
    return _(N_("Please choose from the menu."))


def _belum_permit(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    if choice not in PERMIT_NAMES:
        return Translator("id")(N_("Please choose a permit."))
    result.state.update(step="belum.kecamatan", permit=choice)
    return None


def _belum_kecamatan(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    if choice is None:
        return Translator("id")(N_("Please choose a kecamatan."))
    chosen = _chosen_area(result, ctx, choice)
    if chosen is None:
        return None
    result.replies.append(Reply(ctx.lacking_text(result.state["permit"], chosen[1])))
    result.state = {"step": "menu"}
    return None


def _segment_step(next_step: str, key: str) -> Handler:
    def handle(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
        if choice is None:
            return Translator("id")(N_("Please choose one of the options."))
        segment = dict(result.state.get("segment") or {})
        if key == "kecamatan":
            chosen = _chosen_area(result, ctx, choice)
            if chosen is None:
                return None
            if chosen[0] != "all":
                segment["kabupaten" if chosen[0] == "regency" else "kecamatan"] = [chosen[1]]
        elif choice != ALL:
            segment[key] = [choice]
        result.state.update(step=next_step, segment=segment)
        return None

    return handle


def _siaran_text(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    if len(text) < 5 or len(text) > 1000:
        return Translator("id")(N_("The announcement needs 5 to 1000 characters."))
    result.state.update(step="siaran.kecamatan", text=text)
    return None


def _siaran_confirm(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    _ = Translator("id", ctx.timezone)
    if choice == "kirim":
        result.effects.append(CreateBroadcast(result.state["text"], result.state.get("segment", {}), ctx.now))
        result.replies.append(
            Reply(_(N_("The announcement is queued. It goes out at the pace WhatsApp and Telegram allow.")))
        )
        result.state = {"step": "menu"}
        return None
    if choice == "jadwal":
        result.state.update(step="siaran.when")
        return None
    if choice == "batal":
        result.replies.append(Reply(_(N_("Cancelled. Nothing was sent."))))
        result.state = {"step": "menu"}
        return None
    return _(N_("Please choose one of the options."))


def _siaran_when(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    _ = Translator("id", ctx.timezone)
    zone = ZoneInfo(ctx.timezone)
    today = ctx.now.astimezone(zone).date()
    day = parse_date(text, today)
    if day is None or day < today or day > today + timedelta(days=366):
        return _(N_("Please write a day from today on. Example: besok, 1 Desember"))
    send_at = datetime.combine(day, time(9, 0), tzinfo=zone)
    if send_at < ctx.now:
        send_at = ctx.now
    result.effects.append(CreateBroadcast(result.state["text"], result.state.get("segment", {}), send_at))
    result.replies.append(Reply(_(N_("Scheduled for {date}, 09.00."), date=_.date(day))))
    result.state = {"step": "menu"}
    return None


def _latihan_title(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    if len(text) < 5 or len(text) > 200:
        return Translator("id")(N_("The title needs 5 to 200 characters."))
    result.state.update(step="latihan.date", title=text)
    return None


def _latihan_date(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    today = ctx.now.astimezone(ZoneInfo(ctx.timezone)).date()
    day = parse_date(text, today)
    if day is None or day < today:
        return Translator("id")(N_("Please write a date from today on. Example: 10 Desember 2026"))
    result.state.update(step="latihan.time", date=day.isoformat())
    return None


_TIME = re.compile(r"^(?:jam\s*|pukul\s*)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:wib|wita|wit)?$", re.IGNORECASE)


def _latihan_time(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    match = _TIME.match(text.strip())
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return Translator("id")(N_("Please write a time. Example: 09.00"))
    result.state.update(step="latihan.place", time=f"{hour:02d}:{minute:02d}")
    return None


def _latihan_place(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    if len(text) < 3:
        return Translator("id")(N_("Please write the place."))
    result.state.update(step="latihan.capacity", place=text[:300])
    return None


def _latihan_capacity(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    seats = parse_int(text)
    if seats is None or seats < 0:
        return Translator("id")(N_("Please type a number, or 0 for no limit."))
    result.state.update(step="latihan.kecamatan", capacity=seats or None)
    return None


def _latihan_confirm(result: OfficerResult, ctx: OfficerContext, text: str, choice: str | None) -> str | None:
    _ = Translator("id", ctx.timezone)
    state = result.state
    if choice == "kirim":
        day = date.fromisoformat(state["date"])
        starts = datetime.combine(day, time.fromisoformat(state["time"]), tzinfo=ZoneInfo(ctx.timezone))
        result.effects.append(
            CreateTraining(state["title"], starts, state["place"], state.get("capacity"), state.get("segment", {}))
        )
        result.replies.append(Reply(_(N_("The training is created and the invitations are queued."))))
        result.state = {"step": "menu"}
        return None
    if choice == "batal":
        result.replies.append(Reply(_(N_("Cancelled. Nothing was created."))))
        result.state = {"step": "menu"}
        return None
    return _(N_("Please choose one of the options."))


_HANDLERS: dict[str, Handler] = {
    "menu": _menu,
    "belum.permit": _belum_permit,
    "belum.kecamatan": _belum_kecamatan,
    "siaran.text": _siaran_text,
    "siaran.kecamatan": _segment_step("siaran.commodity", "kecamatan"),
    "siaran.commodity": _segment_step("siaran.permit", "commodity"),
    "siaran.permit": _segment_step("siaran.confirm", "permits"),
    "siaran.confirm": _siaran_confirm,
    "siaran.when": _siaran_when,
    "latihan.title": _latihan_title,
    "latihan.date": _latihan_date,
    "latihan.time": _latihan_time,
    "latihan.place": _latihan_place,
    "latihan.capacity": _latihan_capacity,
    "latihan.kecamatan": _segment_step("latihan.commodity", "kecamatan"),
    "latihan.commodity": _segment_step("latihan.confirm", "commodity"),
    "latihan.confirm": _latihan_confirm,
}
