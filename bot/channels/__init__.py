"""Channel adapters: each turns platform input into neutral events and renders neutral replies."""

import os

# Opt in to python-telegram-bot's future behaviour (time periods as timedelta), which our code expects,
# instead of its deprecation warnings; see bot/channels/telegram.py:_retry_seconds.
os.environ.setdefault("PTB_TIMEDELTA", "1")
