"""`make demo`: a citizen's journey against the running suite, printed step by step
with the events each step put on the topics."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer

from demo.journey import CitizenJourney, Suite
from demo.tap import EventTap
from shared.devissuer import issue

cli = typer.Typer(add_completion=False)


def _events_since(tap: EventTap, start: int) -> int:
    seen = tap.seen()
    for topic, envelope in seen[start:]:
        data = envelope.get("data", {})
        keys = (
            "dossier_code",
            "order_id",
            "amount",
            "agency_code",
            "template",
            "recipient_id",
        )
        shown = {k: data[k] for k in keys if k in data}
        details = json.dumps(shown, ensure_ascii=False)
        line = f"      ⇢ {topic:<22} {envelope['type']:<20} {details}"
        typer.secho(line, fg=typer.colors.CYAN)
    return len(seen)


def _step(number: int, text: str) -> None:
    typer.secho(f"\n{number}. {text}", bold=True)


@cli.command()
def main(
    search: Annotated[
        str, typer.Option(help="what the citizen types, without diacritics")
    ] = ("doi giay phep lai xe"),
    timeout: Annotated[float, typer.Option(help="seconds to wait for each step")] = 60,
) -> None:
    """Play a citizen's journey against the suite started by `make run`."""
    suite = Suite.from_env()
    personal_id = "001099012345"
    subject = f"citizen-demo-{uuid.uuid4().hex[:8]}"
    token = issue(subject, "citizen", personal_id=personal_id, name="Nguyễn Thị Demo")
    journey = CitizenJourney(suite, token)
    typer.echo("Waiting for the suite to be ready…")
    journey.wait_until_ready(timeout=180)
    tap = EventTap(suite.kafka).start()
    shown = 0
    try:
        _step(1, f"Tìm thủ tục / Search the catalogue for '{search}'")
        found = journey.search(search)
        paid = [p for p in found if p["fee"] > 0] or found
        if not paid:
            raise typer.Exit(f"no procedure matches '{search}'")
        procedure = journey.procedure(paid[0]["code"])
        typer.echo(
            f"   {len(found)} found; chosen: {procedure['code']} {procedure['name_vi']}"
        )
        typer.echo(f"   fee {procedure['fee']:,} đồng; agency {procedure['agency_vi']}")

        _step(2, "Nộp hồ sơ / Submit a dossier with the required documents")
        dossier = journey.submit(
            procedure, {"ho_ten": "Nguyễn Thị Demo", "so_gplx": "790123456789"}
        )
        typer.echo(f"   dossier {dossier['code']}: {dossier['status_label']}")
        tap.wait_for(
            lambda e: (
                e["type"] == "DossierSubmitted" and e["subject"].endswith(dossier["id"])
            ),
            timeout,
        )
        shown = _events_since(tap, shown)

        if procedure["fee"] > 0:
            _step(3, "Thanh toán / Pay the fee through the sandbox gateway")
            order = journey.wait_for_order(dossier["id"])
            amount = order["amount_display"]
            typer.echo(f"   order {order['order_id']}: {amount} at {order['pay_url']}")
            journey.pay(order)
            dossier = journey.wait_for_status(dossier["id"], "submitted")
            typer.echo(f"   dossier {dossier['code']}: {dossier['status_label']}")
            tap.wait_for(
                lambda e: (
                    e["type"] == "DossierFeePaid"
                    and e["subject"].endswith(dossier["id"])
                ),
                timeout,
            )
            shown = _events_since(tap, shown)

        _step(4, "Hộp thư / Read the inbox")
        inbox = journey.wait_for_inbox(4 if procedure["fee"] > 0 else 1)
        for message in reversed(inbox["items"]):
            typer.echo(f"   ✉ {message['title_vi']} — {message['body_vi']}")
        tap.wait_for(
            lambda e: (
                e["type"] == "NotificationSent"
                and e["data"].get("template", "").startswith("dossier-fee-paid")
                and e["data"]["recipient_id"] == subject
            ),
            timeout,
        )
        shown = _events_since(tap, shown)

        _step(5, "Góp ý / Send feedback on the procedure")
        feedback = journey.send_feedback(
            procedure["code"],
            "Đề nghị rút ngắn thời gian xử lý",
            "Thủ tục dễ thực hiện; mong thời gian trả kết quả nhanh hơn.",
        )
        typer.echo(
            f"   feedback routed to {feedback['agency_code']}: {feedback['status_vi']}"
        )
        tap.wait_for(
            lambda e: (
                e["type"] == "FeedbackSubmitted"
                and e["subject"].endswith(feedback["id"])
            ),
            timeout,
        )
        _events_since(tap, shown)
        typer.secho("\nHoàn tất / Journey complete.", fg=typer.colors.GREEN, bold=True)
    finally:
        journey.close()
        tap.close()


if __name__ == "__main__":
    cli()
