"""The officers' web pages under /admin: a module per page group, beside the shared auth, csrf, scope, rendering."""
