"""The command line: thin. Each command parses arguments, calls the library and prints.

Commands are imported only when run, so `powerflow --help` stays fast. A new command is one
module under `powerflow.cli` and one line in `COMMANDS`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

__all__ = ["COMMANDS", "cli", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:function, one-line help shown by --help without importing the module)
    "validate": ("powerflow.cli.validate:validate", "Check power files against the format."),
    "schema": ("powerflow.cli.schema:schema", "Print the JSON Schema of power or catalogue files."),
    "audit": ("powerflow.cli.audit:audit",
              "Audit an event log (CSV/XES/Parquet, or a dataset folder; --dask) against a flow."),
    "map-log": ("powerflow.cli.map_log:map_log",
                "List a log's activities and attributes and draft its mapping file."),
    "generate-log": ("powerflow.cli.generate_log:generate_log",
                     "Generate a large random event log of a flow as a partitioned Parquet dataset."),
    "export-net": ("powerflow.cli.export_net:export_net", "Export a flow as a PNML Petri net or BPMN 2.0 XML."),
    "import-xlsx": ("powerflow.cli.import_xlsx:import_xlsx",
                    "Import a power-list spreadsheet (XLSX/CSV) into power files."),
    "export-xlsx": ("powerflow.cli.export_xlsx:export_xlsx",
                    "Write power files back as a power-list spreadsheet."),
    "new": ("powerflow.cli.new:new", "Scaffold a new power file from a category template."),
    "fmt": ("powerflow.cli.fmt:fmt", "Format power files (key order, layout), keeping comments."),
    "diff": ("powerflow.cli.diff:diff",
             "Semantic change review between two versions; exit 1 if control is loosened."),
    "simulate": ("powerflow.cli.simulate:simulate",
                 "Audit a case against a flow, or simulate random cases (--random N)."),
    "case": ("powerflow.cli.case:case", "Live cases in a store: open, fire, migrate, show, list, "
             "overdue, verify, anchor."),
    "check": ("powerflow.cli.check:check", "Validate power files and run the rules (PF1xx-PF4xx)."),
    "rule": ("powerflow.cli.check:rule", "Print a rule's documentation page, or list all rules."),
    "render": ("powerflow.cli.render:render", "Draw publication flowcharts (SVG, PDF, PNG)."),
    "publish": ("powerflow.cli.publish:publish", "Build the static public site of a power list."),
    "serve": ("powerflow.cli.serve:serve",
              "Run the supervision service: JSON API and dashboard of live cases."),
    "service": ("powerflow.cli.serve:service",
                "Accounts of the supervision service: users and API tokens."),
    "risk-table": ("powerflow.cli.risk_table:risk_table",
                   "Export the risk-control table (廉政风险防控表) as XLSX or CSV."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target[0].partition(":")
        cmd = getattr(importlib.import_module(module), attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="powerflow", prog_name="powerflow")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """powerflow: power-operation flowcharts (权力运行流程图) as checked, runnable state machines.

    Exit codes: 0 clean, 1 findings, 2 usage or internal error.
    """
    from ..terminal import install

    ctx.call_on_close(install())


def main(argv: list[str] | None = None) -> Any:
    """Entry point. A bug inside powerflow prints a short message and exits 2; set
    POWERFLOW_DEBUG=1 to see the traceback."""
    try:
        return cli.main(args=argv, prog_name="powerflow", standalone_mode=True)
    except Exception as exc:  # pragma: no cover - the last line of defence
        if os.environ.get("POWERFLOW_DEBUG"):
            raise
        click.echo(f"powerflow: internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in powerflow; run again with POWERFLOW_DEBUG=1 and report the "
                   "traceback.", err=True)
        sys.exit(2)
