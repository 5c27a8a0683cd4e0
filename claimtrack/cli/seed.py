"""``claimtrack seed``: load a dataset file (by default the bundled Islamabad talks)."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli.inputs import InputFile


@click.command(
    epilog="""
\b
Examples:
  claimtrack seed                      the bundled Islamabad talks dataset
  claimtrack seed my-story.toml        your own file (format: docs/seed-format.md)
  claimtrack seed fixtures/mini-story.toml   a small example file, from a checkout
"""
)
@click.argument("file", required=False, type=InputFile(path_type=Path))
@click.pass_obj
def seed(env, file: Path | None) -> None:
    """Load a seed dataset; loading the same file again adds nothing."""
    report = load_seed(env, file)
    click.echo(f"Loaded {file or 'the bundled Islamabad dataset'}: {report.summary()}.")


def load_seed(env, file: Path | None, *, create_schema: bool = False, url=None):
    """Load FILE (or the bundled seed) in one transaction; return what was added."""
    from claimtrack.cli.output import Progress
    from claimtrack.db import write_session
    from claimtrack.importer import bundled_seed_path, load_dataset, read_toml

    path = file or bundled_seed_path()
    data = read_toml(path)
    engine = env.engine(write=True, create_schema=create_schema, url=url)
    with write_session(engine) as session, session.begin():
        return load_dataset(session, data, editor=env.editor, label=f"seed {path.name}",
                            progress=Progress())  # fmt: skip
