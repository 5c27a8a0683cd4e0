"""Where the files that ship with the code are: the Alembic migrations and the seed data.

In the repository they live at the top level (``migrations/``, ``seeds/``); an install,
editable or not, maps them into the package as ``claimtrack.migrations`` and
``claimtrack.seeds`` (pyproject.toml). A script run from a checkout that puts the
checkout first on ``sys.path`` (``python bench/generate.py``) imports the checkout's
``claimtrack/`` instead of the installed one, and that folder has no such subpackages:
an editable install's import hook still finds them, but with a non-editable install (or
none) ``claimtrack.migrations`` does not import. Then they are the checkout's own
top-level folders, which match the code being run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from claimtrack.errors import ClaimtrackError


def folder(name: str) -> Path:
    """The folder of ``claimtrack.<name>`` (``migrations`` or ``seeds``)."""
    spec = importlib.util.find_spec(f"claimtrack.{name}")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name / "__init__.py").is_file():
        return checkout / name
    raise ClaimtrackError(
        f"claimtrack's {name} are missing from {Path(__file__).parent}: reinstall claimtrack"
    )
