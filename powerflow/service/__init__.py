"""The supervision service (`powerflow serve`): live cases over HTTP, for systems and people.

`config` (what a running service is given: data folder, catalogue, clock, store), `accounts`
(users, roles, API tokens, sessions, login throttling), `cards` (the one adapter from a
`CaseAudit` to what the service shows), `api` (the JSON API), `pages` (the Jinja2 dashboard)
and `app` (the ASGI application that joins them). Every case read or write goes through the
one `CaseStore` interface; the store is the only record of cases.
"""

from __future__ import annotations

__all__: list[str] = []
