"""Options shared by several commands (language, output format, jobs)."""

from __future__ import annotations

import locale
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["default_lang", "format_option", "jobs_option", "lang_option"]

F = TypeVar("F", bound=Callable[..., Any])


def default_lang() -> str:
    """`zh` when the user's locale is Chinese (LC_ALL, LC_MESSAGES, LANG), else `en`."""
    for var in ("POWERFLOW_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = locale.getlocale()[0] or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def lang_option(f: F) -> F:
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Message language (default: from the locale).")(f)


def format_option(*choices: str, default: str = "concise") -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                            show_default=True, help="Output format.")(f)
    return deco


def jobs_option(f: F) -> F:
    return click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
                        help="Worker processes (default: all cores).")(f)
