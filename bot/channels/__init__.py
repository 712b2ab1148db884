"""Channel adapters: each turns platform input into neutral events and renders neutral replies."""
