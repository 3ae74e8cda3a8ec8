"""`python -m powerflow` runs the command line."""

from powerflow.cli import main

main()
