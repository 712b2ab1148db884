"""Lapor IKM: the chat channel between small-industry owners and their Dinas."""
