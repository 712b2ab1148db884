"""The `lapor-ikm` command line, one module per command group; it may import all of `bot`, nothing imports it."""
