"""Cell text as found in power-list spreadsheets → clean values.

Takes raw cell values (str, int, float, None); gives normalised text, working-day limits
(`20个工作日`, `即办`, `当场`, `二十日` …) and ranked legal-basis entries parsed from text such as
``【法律】《中华人民共和国行政许可法》第二十九条；【部门规章】《…》第三条``.

Full-width forms are folded with Unicode NFKC only where that is safe: ASCII letters, digits and
the ideographic space in free text (ＡＢＣ１２３ → ABC123), －．／＿ between them (phone numbers),
the whole cell for codes and headers.
Chinese punctuation in free text (，；：（）) is kept, since it is correct there.

Must not: read files, know about columns or rows, or raise on bad input (callers get None and
a reason).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ParsedBasis",
    "ParsedLimit",
    "chinese_number",
    "clean_code",
    "clean_header",
    "clean_text",
    "format_basis",
    "format_limit",
    "parse_basis",
    "parse_bool",
    "parse_limit",
]

_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000\u00a0]")
_FULLWIDTH_JOIN = re.compile(r"(?<=[0-9A-Za-z])[\uff0d\uff0e\uff0f\uff3f](?=[0-9A-Za-z])")
"""Full-width - . / _ between ASCII letters or digits (phone numbers, codes, e-mail)."""
_SPACES = re.compile(r"[ \t]+")


def clean_text(value: object) -> str | None:
    """Free text: full-width letters/digits/spaces folded, runs of spaces squeezed, trimmed.
    Empty cells and placeholders (`无`, `-`, `/`) give None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = _FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = _FULLWIDTH_JOIN.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    text = "\n".join(ln for ln in lines if ln)
    if text in ("", "无", "-", "—", "/", "／", "暂无", "N/A", "n/a"):
        return None
    return text


def clean_code(value: object) -> str | None:
    """A power code: NFKC folded (it is ASCII by nature), spaces removed."""
    text = clean_text(value)
    if text is None:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def clean_header(value: object) -> str:
    """A header cell for matching: NFKC folded, no spaces, no trailing colon or `*` marks."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"\s+", "", text)
    return text.strip(":*").replace("(", "（").replace(")", "）")


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """`二十九` → 29, `一百零五` → 105, `十` → 10, `29` → 29; None when it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    total, digit = 0, 0
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (digit or 1) * _UNITS[c]
            digit = 0
    return total + digit


@dataclass(frozen=True)
class ParsedLimit:
    """A limit read from a cell: `value` is working days, `same_day`, `immediate` or None (no
    limit); `calendar` is a limit in calendar days (`N日`/`N天`), which is not a working-day
    value; `note` keeps a parenthesised remark; `problem` says why the cell could not be read."""

    value: int | str | None
    note: str | None = None
    problem: str | None = None
    problem_zh: str | None = None
    calendar: int | None = None


_SAME_DAY = ("当天", "当日", "当天办结", "当日办结")
_IMMEDIATE = ("即办", "即办件", "即时", "即时办结", "当场", "当场办结", "立即", "现场办结")
_LIMIT = re.compile(
    r"^(?P<n>[0-9]+|[零〇一二两三四五六七八九十百千]+)\s*(?:个)?\s*(?P<unit>工作日|日|天)?$")


def parse_limit(value: object) -> ParsedLimit:
    """Read a time-limit cell. Numbers and `N个工作日` are working days; `N日`/`N天` are
    calendar days and are returned as `calendar`, never as working days (only some laws, such
    as the Administrative Licensing Law, art. 82, count their 日 as working days; a list that
    means working days says 工作日)."""
    if isinstance(value, bool):
        return ParsedLimit(None, problem="not a time limit", problem_zh="不是时限")
    if isinstance(value, int | float):
        if value < 0 or (isinstance(value, float) and not value.is_integer()):
            return ParsedLimit(None, problem=f"{value} is not a whole number of working days",
                               problem_zh=f"{value} 不是整数个工作日")
        return ParsedLimit(int(value))
    text = clean_text(value)
    if text is None:
        return ParsedLimit(None)
    note = None
    m = re.match(r"^(.*?)[（(](.+)[）)]\s*$", text, re.S)
    if m and m.group(1).strip():
        text, note = m.group(1).strip(), m.group(2).strip()
    text = text.replace(" ", "")
    if text in _SAME_DAY:
        return ParsedLimit("same_day", note)
    if text in _IMMEDIATE:
        return ParsedLimit("immediate", note)
    lm = _LIMIT.match(text)
    if lm:
        n = chinese_number(lm.group("n"))
        if n is not None and lm.group("unit") in ("日", "天"):
            return ParsedLimit(None, note, calendar=n)
        if n is not None:
            return ParsedLimit(n, note)
    return ParsedLimit(None, note,
                       f"{text!r} is not a time limit (write e.g. 20个工作日, 即办 or 当天)",
                       f"{text!r} 不是时限（应写作 20个工作日、即办 或 当天 等）")


def format_limit(value: int | str | None, note: str | None = None) -> str | None:
    """The inverse of `parse_limit`, in the form lists use."""
    if value is None:
        text = None
    elif value == "same_day":
        text = "当天"
    elif value == "immediate":
        text = "即办"
    else:
        text = f"{value}个工作日"
    if note:
        return f"{text or ''}（{note}）"
    return text


def parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = clean_text(value)
    if text is None:
        return None
    low = text.lower()
    if low in ("是", "需要", "要", "y", "yes", "true", "1", "√"):
        return True
    if low in ("否", "不需要", "n", "no", "false", "0", "×"):
        return False
    return None


@dataclass(frozen=True)
class ParsedBasis:
    """One legal-basis entry: rank (a `LegalRank` value), instrument, article, and a warning
    when the rank had to be guessed."""

    rank: str
    instrument: str
    article: str | None
    guessed: bool = False


_RANK_TAG = re.compile(r"【([^】]+)】")
_RANKS = {
    "法律": "law", "行政法规": "administrative_regulation", "地方性法规": "local_regulation",
    "部门规章": "departmental_rule", "地方政府规章": "local_rule", "政府规章": "local_rule",
    "规章": "departmental_rule", "规范性文件": "normative_document",
    "国务院决定": "administrative_regulation", "其他": "normative_document",
    "党内法规": "party_regulation",
}
_RANK_ZH = {
    "law": "法律", "administrative_regulation": "行政法规", "local_regulation": "地方性法规",
    "departmental_rule": "部门规章", "local_rule": "地方政府规章",
    "normative_document": "规范性文件", "party_regulation": "党内法规",
}
_ARTICLE = re.compile(r"第[0-9零〇一二两三四五六七八九十百千]+条.*$", re.S)


def _guess_rank(instrument: str) -> str:
    local = any(w in instrument for w in ("省", "市", "自治区", "县", "××"))
    if "中国共产党" in instrument or "党组" in instrument[:6]:
        return "party_regulation"
    if instrument.startswith(("《中华人民共和国", "中华人民共和国")) and instrument.rstrip("》").endswith("法"):
        return "law"
    if "条例" in instrument:
        return "local_regulation" if local else "administrative_regulation"
    if any(w in instrument for w in ("办法", "规定", "细则", "部令")):
        return "local_rule" if local else "departmental_rule"
    return "normative_document"


def _split_entry(text: str) -> tuple[str, str | None]:
    if "》" in text:
        cut = text.rindex("》") + 1
        instrument, article = text[:cut].strip(), text[cut:].strip(" ，,：:")
        return instrument, article or None
    m = _ARTICLE.search(text)
    if m and m.start() > 0:
        return text[: m.start()].strip(), m.group(0).strip()
    return text.strip(), None


def parse_basis(value: object) -> tuple[list[ParsedBasis], list[tuple[str, str]]]:
    """Split a legal-basis cell into ranked entries. Returns the entries and problems (unknown
    rank tags) as (English, Chinese) text; an entry without a rank tag gets a guessed rank
    (`guessed` is set)."""
    text = clean_text(value)
    if text is None:
        return [], []
    entries: list[ParsedBasis] = []
    problems: list[tuple[str, str]] = []
    tags = list(_RANK_TAG.finditer(text))
    chunks: list[tuple[str | None, str]] = []
    if tags:
        head = text[: tags[0].start()].strip(" ；;\n")
        if head:
            chunks.append((None, head))
        for i, t in enumerate(tags):
            end = tags[i + 1].start() if i + 1 < len(tags) else len(text)
            chunks.append((t.group(1).strip(), text[t.end(): end]))
    else:
        chunks = [(None, text)]
    for tag, body in chunks:
        for part in re.split(r"[；;\n]+", body):
            part = part.strip(" 。，,")
            if not part:
                continue
            instrument, article = _split_entry(part)
            if tag is not None and tag in _RANKS:
                entries.append(ParsedBasis(_RANKS[tag], instrument, article))
                continue
            rank = _guess_rank(instrument)
            if tag is not None:
                problems.append((f"unknown rank 【{tag}】 of {instrument}: read as {_RANK_ZH[rank]}",
                                 f"{instrument} 的位阶【{tag}】无法识别：按{_RANK_ZH[rank]}处理"))
            entries.append(ParsedBasis(rank, instrument, article, guessed=tag is None))
    return entries, problems


NOT_PUBLISHED = frozenset({"未公布", "未公开", "暂未公布", "not published"})
"""Cell texts saying the published source does not give the field (`power.unpublished`)."""

SAME_AS_ABOVE = frozenset({"同上", "同上。", "同前", "同上述"})
"""Cell texts that repeat the cell above (a list's shorthand, never a value of its own)."""

_OFFICE_SEP = re.compile(r"[、，,；;/／]+")


def split_offices(text: str | None) -> list[str]:
    """`计划科、财务科` → ['计划科', '财务科']: a handling-office cell naming several offices."""
    return [p.strip() for p in _OFFICE_SEP.split(text or "") if p.strip()]


def format_basis_notes(entries: list[tuple[str, str | None]]) -> str | None:
    """(instrument, note) → one line `《…》：note` per instrument that has a source note."""
    lines = [f"{instrument}：{note}" for instrument, note in entries if note]
    return "\n".join(lines) or None


def parse_basis_notes(value: object) -> dict[str, str]:
    """The inverse of `format_basis_notes`: instrument → note."""
    out: dict[str, str] = {}
    for raw in (value if isinstance(value, str) else "").splitlines():
        instrument, sep, note = (clean_text(raw) or "").partition("》：")
        if sep and note.strip():
            out[instrument.strip() + "》"] = note.strip()
    return out


def format_basis(entries: list[tuple[str, str, str | None]]) -> str | None:
    """(rank, instrument, article) entries → `【法律】《…》第三条；【部门规章】《…》`."""
    if not entries:
        return None
    parts = []
    for rank, instrument, article in entries:
        sep = "" if instrument.endswith("》") or not article else " "
        parts.append(f"【{_RANK_ZH.get(rank, rank)}】{instrument}{sep}{article or ''}")
    return "；".join(parts)
