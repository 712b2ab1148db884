"""A bare python-telegram-bot echo bot behind a webhook: the yardstick for `bench/inbound.py`.

It is what the PTB documentation's custom-webhook example builds: a Starlette route puts each update on the
Application's queue; handlers answer a message with its text and a pressed button with its data.
Usage: python bench/echo_bot.py --port 8001 --api http://127.0.0.1:8000 --token 123:abc
"""

from __future__ import annotations

import argparse
import asyncio

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back."""
    if update.effective_chat is not None and update.effective_message is not None:
        await update.effective_chat.send_message(update.effective_message.text or "ok")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and send its data back."""
    query = update.callback_query
    if query is not None and update.effective_chat is not None:
        await query.answer()
        await update.effective_chat.send_message(query.data or "ok")


async def serve(port: int, api: str, token: str) -> None:
    """Run the echo bot until interrupted."""
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api}/bot")
        .request(HTTPXRequest(connection_pool_size=64))
        .updater(None)
        .concurrent_updates(64)
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(pressed))

    async def webhook(request: Request) -> Response:
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response()

    app = Starlette(routes=[Route("/telegram/webhook", webhook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    async with application:
        await application.start()
        await server.serve()
        await application.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.api, args.token))


if __name__ == "__main__":
    main()
