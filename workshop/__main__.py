"""Run the command line with `python -m workshop`."""

from workshop.cli import main

main()
