"""`powerflow schema`: print the JSON Schema of power files (or `--catalog` files)."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--catalog", is_flag=True, help="The catalogue file's schema instead.")
def schema(catalog: bool) -> None:
    """Print the JSON Schema of the power-file format (for editors and CI).

    Point your editor's YAML extension at it, e.g. add as the first line of a power file:
    `# yaml-language-server: $schema=../docs/schema/flow.schema.json`.
    """
    from ..schema import catalog_schema, flow_schema

    click.echo(json.dumps(catalog_schema() if catalog else flow_schema(),
                          ensure_ascii=False, indent=2))
