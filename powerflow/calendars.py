"""Read and check working-day calendar declarations.

Takes the `calendar:` value of a catalogue's `defaults` or of a log mapping (a base name, a
declaration, or the path of a calendar file, relative to the file that names it) with that
file's data and source map; gives the checked `CalendarSpec` (a named file read in and checked
the same way) and PF080-PF084 diagnostics located at the offending day, year or path:

* PF080 `calendar-day-malformed`: a declared day that is not `YYYY-MM-DD` or an inclusive range
  `YYYY-MM-DD/YYYY-MM-DD` of real dates.
* PF081 `calendar-day-outside-its-year`: a day listed under a year it is not in.
* PF082 `calendar-day-both-off-and-working`: a day declared both a holiday and a working day.
* PF083 `calendar-file-unusable`: a calendar file that cannot be read, is not a declaration,
  or names another file.
* PF084 `calendar-workday-on-weekday` (warning): an adjusted working day that is a Monday to
  Friday anyway (a 调休 working day is a Saturday or Sunday).

Must not: count working days (that is `powerflow.clock`), print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import model as m
from .clock import parse_days
from .diagnostics import Diagnostic, Location, Severity, Text
from .source import Limits, SourceMap, locate, read_yaml
from .validation import pydantic_diagnostics

__all__ = ["check_declaration", "resolve_calendar"]

Path_ = tuple[str | int, ...]


def _diag(code: str, name: str, loc: Location, en: str, zh: str, hint: Text,
          severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, severity, loc, Text(en, zh), hint, name)


def _raw_years(data: Any, at: Path_) -> dict[int, Any]:
    """Year (int) → the key as written, to locate it in the source map."""
    node = data
    for k in at:
        node = node.get(k) if isinstance(node, dict) else None
    years = node.get("years") if isinstance(node, dict) else None
    out: dict[int, Any] = {}
    for k in years if isinstance(years, dict) else ():
        try:
            out[int(k)] = k
        except (TypeError, ValueError):
            continue
    return out


def check_declaration(spec: m.CalendarSpec, data: Any, source: SourceMap, file: str,
                      at: Path_ = ()) -> list[Diagnostic]:
    """PF080-PF082 and PF084 for the declared days of `spec` (written at `at` in `file`)."""
    out: list[Diagnostic] = []
    raw = _raw_years(data, at)
    for year, cy in spec.years.items():
        here: Path_ = (*at, "years", raw.get(year, year))
        seen: dict[str, dict[dt.date, int]] = {"holidays": {}, "workdays": {}}
        for kind, texts in (("holidays", cy.holidays), ("workdays", cy.workdays)):
            for i, text in enumerate(texts):
                loc = locate(source, (*here, kind, i), file)
                try:
                    first, last = parse_days(text)
                except ValueError as exc:
                    out.append(_diag(
                        "PF080", "calendar-day-malformed", loc,
                        f"{kind} entry {text!r} of {year}: {exc}",
                        f"{year} 年 {kind} 中的 {text!r} 不是有效的日期或日期范围"
                        "（日期须真实存在，范围须先早后晚且不超过一年）",
                        Text("Write 2027-02-05, or a range 2027-02-05/2027-02-11.",
                             "请写成 2027-02-05，或日期范围 2027-02-05/2027-02-11。")))
                    continue
                if first.year != year or last.year != year:
                    out.append(_diag(
                        "PF081", "calendar-day-outside-its-year", loc,
                        f"{text!r} is listed under {year} but is not in {year}",
                        f"{text!r} 列在 {year} 年下，但不在 {year} 年内",
                        Text(f"Move it under {first.year}, or correct the year.",
                             f"请移到 {first.year} 年下，或更正年份。")))
                    continue
                n = (last - first).days + 1
                seen[kind].update({first + dt.timedelta(days=d): i for d in range(n)})
        for day, i in sorted(seen["workdays"].items()):
            loc = locate(source, (*here, "workdays", i), file)
            if day in seen["holidays"]:
                out.append(_diag(
                    "PF082", "calendar-day-both-off-and-working", loc,
                    f"{day.isoformat()} is declared both a holiday and a working day",
                    f"{day.isoformat()} 同时被声明为假日和工作日",
                    Text("Keep it in one of `holidays` or `workdays`.",
                         "请只保留在 holidays 或 workdays 之一中。")))
            elif day.weekday() < 5:
                out.append(_diag(
                    "PF084", "calendar-workday-on-weekday", loc,
                    f"adjusted working day {day.isoformat()} is a weekday, a working day anyway",
                    f"调休上班日 {day.isoformat()} 本来就是工作日（周一至周五）",
                    Text("List only the Saturdays and Sundays that are worked.",
                         "workdays 只需列出调休上班的周六、周日。"), Severity.WARNING))
    return out


def _unusable(loc: Location, en: str, zh: str) -> Diagnostic:
    return _diag("PF083", "calendar-file-unusable", loc, en, zh,
                 Text("`calendar:` takes cn, weekdays, the path of a calendar YAML file "
                      "(relative to this file), or a declaration {base, years}.",
                      "calendar: 取 cn、weekdays、日历 YAML 文件路径（相对于本文件）或声明 "
                      "{base, years}。"))


def _read_file(name: str, base: Path, loc: Location, limits: Limits
               ) -> tuple[m.CalendarSpec | None, list[Diagnostic]]:
    path = base / name
    try:
        raw = path.read_bytes() if path.stat().st_size <= limits.max_bytes else None
    except OSError as exc:
        return None, [_unusable(loc, f"cannot read calendar file {name!r}: "
                                     f"{exc.strerror or exc}",
                                f"无法读取日历文件 {name!r}：{exc.strerror or exc}")]
    if raw is None:
        return None, [_unusable(loc, f"calendar file {name!r} is too large",
                                f"日历文件 {name!r} 过大")]
    file = str(path)
    res = read_yaml(raw, file, limits)
    diags = list(res.diagnostics)
    if res.data is None or any(d.is_error for d in diags):
        return None, diags
    if not isinstance(res.data, dict):
        return None, [*diags, _unusable(Location(file, 1, 1), "a calendar file is a mapping "
                                        "with base, name and years",
                                        "日历文件应为包含 base、name、years 的映射")]
    try:
        spec = m.CalendarSpec.model_validate(res.data)
    except ValidationError as exc:
        return None, [*diags, *pydantic_diagnostics(exc, res.data, res.source, file,
                                                    m.CalendarSpec)]
    if spec.file is not None:
        return None, [*diags, _unusable(locate(res.source, ("file",), file, key=True),
                                        "a calendar file cannot name another calendar file",
                                        "日历文件不能再引用另一个日历文件")]
    diags += check_declaration(spec, res.data, res.source, file)
    return spec.model_copy(update={"file": name}), diags


def resolve_calendar(value: m.CalendarSpec | str | None, data: Any, source: SourceMap,
                     file: str, at: Path_, limits: Limits = Limits()
                     ) -> tuple[m.CalendarSpec, list[Diagnostic]]:
    """The declaration `value` (written at `at` in `file`) stands for, a named file read in,
    with its diagnostics. On errors the spec returned is the plain base (use it only if the
    caller goes on despite errors)."""
    spec = m.calendar_spec(value)
    if spec.file is None:
        return spec, check_declaration(spec, data, source, file, at)
    loc = locate(source, at, file)
    if spec.years or (isinstance(value, m.CalendarSpec) and value.name is not None):
        return m.CalendarSpec(base=spec.base), [_unusable(
            loc, "a calendar declaration with `file:` names nothing else",
            "带 file: 的日历声明不能再声明其他内容")]
    if not spec.file.lower().endswith((".yaml", ".yml")):
        return m.CalendarSpec(), [_unusable(
            loc, f"calendar {spec.file!r} is neither cn, weekdays nor a .yaml file",
            f"calendar 的值 {spec.file!r} 既不是 cn、weekdays，也不是 .yaml 文件")]
    got, diags = _read_file(spec.file, Path(file).parent, loc, limits)
    return (got or m.CalendarSpec(base=spec.base)), diags
