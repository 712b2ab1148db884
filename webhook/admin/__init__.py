"""The officers' web pages under /admin."""
