"""The pure, channel-agnostic conversation engine of Lapor IKM.

Nothing in this package talks to a network or a database: `step()` takes a session, an inbound
event and a read-only context, and returns the new session, the replies and the effects that the
caller must apply.
"""

from conversations.engine import StepResult, step
from conversations.events import Choice, Inbound, InboundKind, Reply
from conversations.session import Session

__all__ = ["Choice", "Inbound", "InboundKind", "Reply", "Session", "StepResult", "step"]
