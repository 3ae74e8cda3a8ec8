"""The case engine: compile a flow to a state machine, run and audit cases, simulate at random,
keep live cases in a store.

Modules: `compile` (Flow → transitions machine), `case` (case files), `run` (one case event by
event), `audit` (a finished `CaseAudit` with PF5xx diagnostics), `randomsim` (Monte Carlo over
the flow), `store` (live cases with a hash-chained trail). Import the module you need; this
package imports nothing heavy on its own.
"""

from __future__ import annotations

__all__: list[str] = []
