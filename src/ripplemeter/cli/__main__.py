"""``python -m ripplemeter.cli``: the same as the ``ripplemeter`` command."""

from ripplemeter.cli import main

main()
