"""``python -m publish``: the command line."""
from .cli import run

run()
