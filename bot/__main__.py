"""`python -m bot` runs the `lapor-ikm` command line."""

from bot.cli.app import main

main()
