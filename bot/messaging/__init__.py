"""The message path: inbox, outbox, sender, rate limits, sending windows; imports only `bot.storage` below it."""
