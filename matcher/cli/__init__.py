"""The ``matcher`` command line (Typer + rich): one module per command group, wired in ``main``."""
