"""The owner's report: the readable summary, submitting an update, and correcting any part."""

from __future__ import annotations

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows.common import resume_paused, yes_no
from conversations.flows.labels import need_label
from conversations.flows.permits import applicable_permits, display_number, permit_questions, permit_title, status_label
from conversations.flows.products import category_label, packaging_label
from conversations.flows.registration import commodity_label, format_phone
from conversations.flows.registry import FLOWS, define, define_macro, flow
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn

SIZE_LABELS = {
    "mikro": N_("micro business"),
    "kecil": N_("small business"),
    "menengah": N_("medium business"),
    "besar": N_("large business"),
}


def summary_text(turn: Turn) -> str:
    """Everything stored about the owner, as a short readable text."""
    _ = turn._
    report = turn.report
    business = report.business
    dash = "-"
    lines = [_(N_("YOUR REPORT")), ""]
    lines.append(_(N_("Name: {value}"), value=report.name or dash))
    lines.append(_(N_("Mobile number: {value}"), value=format_phone(report.phone) if report.phone else dash))
    if business is not None:
        lines.append(_(N_("Business: {value}"), value=business.name or dash))
        lines.append(_(N_("Area: {value}"), value=_area_text(turn) or dash))
        lines.append(
            _(
                N_("Type of business: {value}"),
                value=commodity_label(turn, business.commodity, business.commodity_other),
            )
        )
        if business.workers is not None:
            lines.append(_(N_("Workers: {count} people"), count=business.workers))
        if business.monthly_revenue is not None:
            size = _(SIZE_LABELS[business.size]) if business.size in SIZE_LABELS else dash
            lines.append(
                _(N_("Turnover: {money} a month ({size})"), money=turn._.money(business.monthly_revenue), size=size)
            )
        if business.in_sentra is not None:
            lines.append(
                _(
                    N_("Sentra/forum: {value}"),
                    value=business.sentra or (_(N_("yes")) if business.in_sentra else _(N_("no"))),
                )
            )
    if report.products:
        lines += ["", _(N_("Products:"))]
        for index, product in enumerate(report.products, start=1):
            lines.append(
                f"{index}. {product.name or dash} – {category_label(turn, product.category)}, "
                f"{packaging_label(turn, product.packaging).lower()}"
            )
    lines += ["", _(N_("Permits:"))]
    for permit, key in applicable_permits(report):
        stored = report.permit(permit, key)
        if stored is None:
            state = _(N_("not reported"))
        else:
            state = status_label(turn, stored.status)
            if stored.number:
                state += f" ({display_number(permit, stored.number)})"
            if stored.status == "diurus" and stored.expected_on:
                state += ", " + _(N_("expected {date}"), date=turn._.date(stored.expected_on))
            if stored.expires_on:
                state += ", " + _(N_("valid until {date}"), date=turn._.date(stored.expires_on))
            elif stored.expiry_year:
                state += ", " + _(N_("valid until {year}"), year=stored.expiry_year)
        lines.append(f"• {permit_title(turn, permit, key)}: {state}")
    needs = ", ".join(need_label(turn, k) for k in report.needs) or dash
    if report.needs_note:
        needs += f" ({report.needs_note})"
    lines += ["", _(N_("Needs: {value}"), value=needs)]
    if report.registered_at:
        lines.append(_(N_("Registered: {date}"), date=turn._.date(report.registered_at)))
    if report.last_report_at:
        lines.append(_(N_("Last report: {date}"), date=turn._.date(report.last_report_at)))
    return "\n".join(lines)


def _area_text(turn: Turn) -> str:
    business = turn.report.business
    if business is None:
        return ""
    regions = turn.ctx.regions
    parts = []
    kelurahan = regions.get(business.kelurahan_code)
    kecamatan = regions.get(business.kecamatan_code)
    if kelurahan:
        parts.append(kelurahan.name)
    if kecamatan:
        parts.append(turn._(N_("Kec. {name}"), name=kecamatan.name))
    regency = regions.get(business.regency_code) or regions.get(kecamatan.regency_code if kecamatan else None)
    if regency:
        parts.append(regency.name)
    return ", ".join(parts)


def finish_report(turn: Turn) -> None:
    """Close a registration or a report update: stamp it, thank the owner and show the summary."""
    _ = turn._
    first_time = turn.report.registered_at is None
    turn.save(fx.MarkReported())
    turn.save(fx.Audit("report_submitted", {"flow": str(turn.session.data.get("flow"))}))
    turn.flush_notes()
    if first_time:
        turn.say(_(N_("Registration complete. Thank you! The office can now follow up on your business.")))
    else:
        turn.say(_(N_("Thank you, your report is updated.")))
    turn.say(summary_text(turn))
    turn.session.data = {k: v for k, v in turn.session.data.items() if k == "paused"}


def _finish_macro(turn: Turn, args: tuple[str, ...]) -> list[str]:
    finish_report(turn)
    return []


# The end of a registration or a report update, wherever it was started from (menu, reminder).
define_macro("report.finish", _finish_macro)


# --- "my report" --------------------------------------------------------------------------------------
@flow("laporan", N_("My report"))
def show_report(turn: Turn) -> None:
    """Show the summary, then the menu."""
    turn.save(fx.Audit("data_viewed"))
    turn.say(summary_text(turn))
    turn.session.queue = ["menu"] if turn.report.consent == "given" else []
    turn.session.data = {}


# --- "update my report" -------------------------------------------------------------------------------
@flow("lapor", N_("Update my report"))
def start_update(turn: Turn) -> None:
    """Ask what changed since the last report."""
    if turn.report.registered_at is None:  # not registered yet: the registration goes on where it stopped
        if not resume_paused(turn, "daftar"):
            FLOWS["daftar"].start(turn)
        return
    turn.start("lapor", ["report.changed"])


def _changed_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    last = turn.report.last_report_at
    text = (
        _(N_("Has anything changed since your last report ({date})?"), date=turn._.date(last))
        if last
        else _(N_("Has anything changed since your last report?"))
    )
    return Prompt(text, (Choice("ada", _(N_("Yes, something changed"))), Choice("tidak", _(N_("No change")))))


def _changed_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    decision = yes_no(turn, answer, yes="ada", no="tidak")
    if decision is None:
        raise Invalid(turn._(N_("Please choose 1 if something changed or 2 if nothing changed.")))
    if decision == "tidak":
        turn.advance()
        finish_report(turn)
        return
    turn.advance(
        "biz.workers", "biz.revenue", *permit_questions(turn.report, only_open=True), "needs.pick", "report.finish"
    )


define("report.changed", Question(ask=_changed_ask, handle=_changed_handle, section=N_("Update my report")))


# --- "correct my data" --------------------------------------------------------------------------------
SECTIONS = (
    ("pemilik", N_("Name & mobile number"), ["owner.name", "owner.phone"]),
    ("usaha", N_("Business name & type"), ["biz.name", "biz.commodity"]),
    (
        "wilayah",
        N_("Location (kecamatan, kelurahan)"),
        ["biz.regency_if_several|edit", "biz.area|kecamatan", "biz.area|kelurahan"],
    ),
    ("skala", N_("Workers & turnover"), ["biz.workers", "biz.revenue"]),
    ("sentra", N_("Sentra/forum"), ["biz.sentra"]),
    ("produk", N_("Products"), ["product.menu"]),
    ("izin", N_("Permits"), ["permit.pick"]),
    ("kebutuhan", N_("Needs"), ["needs.pick"]),
)


@flow("ubah", N_("Correct my data"))
def start_edit(turn: Turn) -> None:
    """Let the owner pick which part to correct."""
    turn.start("ubah", ["edit.pick"])


def _edit_ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    choices = [Choice(key, _(label)) for key, label, _questions in SECTIONS]
    choices.append(Choice("selesai", _(N_("Done, show my report"))))
    return Prompt(_(N_("Which part do you want to correct?")), tuple(choices))


def _edit_handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    if answer.choice == "selesai":
        turn.advance()
        turn.say(summary_text(turn))
        return
    for key, _label, questions in SECTIONS:
        if answer.choice == key:
            turn.advance(*questions, "edit.pick")
            turn.save(fx.Audit("data_corrected", {"section": key}))
            return
    raise Invalid(turn._(N_("Sorry, please pick one of the options below (type its number or tap it).")))


define("edit.pick", Question(ask=_edit_ask, handle=_edit_handle, free_text=False, section=N_("Correct my data")))
