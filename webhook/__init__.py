"""The HTTP side of Lapor IKM (health check now; platform webhooks and officer pages later)."""
