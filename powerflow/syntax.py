"""Wording of YAML syntax errors (PF001) and of the traps of typing YAML by hand in Chinese.

Takes PyYAML's `MarkedYAMLError` or the decoded text of a file; gives PF001 diagnostics in English
and Chinese that say where the failing construct began (an unclosed quote is detected at the end
of the file, but is fixed where it opened) and what to do, plus the full-width colon (`：`) and
full-width space (U+3000) that Chinese input methods type where YAML needs ASCII.

Must not: parse YAML itself or read files.
"""

from __future__ import annotations

import re

import yaml

from .diagnostics import Diagnostic, Location, Severity, Text

__all__ = ["full_width_colons", "full_width_indent", "syntax_error"]


def _diag(file: str, line: int, col: int, en: str, zh: str, hint: Text) -> Diagnostic:
    return Diagnostic("PF001", Severity.ERROR, Location(file, line, col), Text(en, zh), hint,
                      "yaml-syntax-error")


_PROBLEMS_ZH = {
    "found unexpected end of stream": "文件在此意外结束",
    "found a tab character that violates indentation": "发现用于缩进的制表符（Tab）",
    "found character '\\t' that cannot start any token": "发现不能出现在此处的制表符（Tab）",
    "mapping values are not allowed here": "此处不允许出现映射值（“键: 值”）",
    "could not find expected ':'": "找不到应有的冒号“:”",
    "did not find expected key": "找不到应有的键",
    "did not find expected ',' or '}'": "找不到应有的“,”或“}”",
    "did not find expected ',' or ']'": "找不到应有的“,”或“]”",
    "expected ',' or '}', but got '<stream end>'": "缺少“}”",
    "expected ',' or ']', but got '<stream end>'": "缺少“]”",
    "did not find expected '-' indicator": "找不到应有的列表项标记“-”",
    "found undefined alias": "使用了未定义的别名",
    "found duplicate anchor; first occurrence": "锚点重复定义",
    "expected a single document in the stream": "文件只能包含一个 YAML 文档",
    "found character that cannot start any token": "发现不能作为开头的字符",
    "found unknown escape character": "发现未知的转义字符",
}
_CONTEXTS_ZH = {
    "while scanning a quoted scalar": "扫描带引号的字符串时",
    "while scanning a plain scalar": "扫描字符串时",
    "while parsing a block mapping": "解析映射时",
    "while parsing a block collection": "解析列表时",
    "while parsing a flow mapping": "解析 {…} 映射时",
    "while parsing a flow sequence": "解析 […] 列表时",
    "while scanning a simple key": "扫描键时",
    "while scanning an alias": "扫描别名时",
    "while scanning an anchor": "扫描锚点时",
    "while parsing a block node": "解析节点时",
    "while parsing a flow node": "解析节点时",
    "but found another document": "但发现了另一个文档",
    "while scanning for the next token": "扫描下一个记号时",
    "while parsing a node": "解析节点时",
    "while composing a mapping": "组合映射时",
}


_FW_INDENT = re.compile(r"^( *)\u3000+[ \u3000]*(?:-\s+)?[A-Za-z_][\w\-]*\s*[:：]", re.MULTILINE)
_FW_COLON = re.compile(r"^\s*(?:-\s+)?(?:\{\s*)?([A-Za-z_][\w\-]*)\s*：", re.MULTILINE)


def _line_col(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def full_width_indent(text: str, file: str) -> list[Diagnostic]:
    """PF001 for keys indented with the full-width space (U+3000) that Chinese input methods
    type: YAML reads it as part of the key, so the structure silently changes."""
    out = []
    for m in _FW_INDENT.finditer(text):
        line, col = _line_col(text, m.end(1))
        out.append(_diag(
            file, line, col,
            "a full-width space (U+3000) is used for indentation before a key",
            "键前使用了全角空格（U+3000）缩进",
            Text("Indent with ordinary spaces; switch the input method to half-width (半角).",
                 "请用半角空格缩进；可把输入法切换到半角模式。")))
    return out


def full_width_colons(text: str, file: str) -> list[Diagnostic]:
    """PF001 for `key：value` written with a full-width colon, which YAML does not take for a
    separator (reported alongside the parser's own error, which it usually causes)."""
    out = []
    for m in _FW_COLON.finditer(text):
        line, col = _line_col(text, m.end() - 1)
        key = m.group(1)
        out.append(_diag(
            file, line, col,
            f"the key {key!r} is followed by a full-width colon (：), which YAML does not read as "
            "a separator",
            f"键 {key!r} 后面是全角冒号（：），YAML 不把它当作分隔符",
            Text("Write a half-width colon and a space: `key: value`.",
                 "请改为半角冒号加空格：`键: 值`。")))
    return out


def syntax_error(exc: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    """PF001 at the problem, naming where the construct that failed began (an unclosed quote
    or bracket is reported at the end of the file, but the fix is where it opened)."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = (exc.problem or str(exc)).strip()
    problem_zh = _PROBLEMS_ZH.get(problem, problem)
    for en, zh in _PROBLEMS_ZH.items():
        if problem.startswith(en) and problem not in _PROBLEMS_ZH:
            problem_zh = zh + problem[len(en):]
    ctx = ctx_zh = ""
    if exc.context and "tab" not in problem:
        started = ""
        started_zh = ""
        cm = exc.context_mark
        if cm is not None and (cm.line + 1, cm.column + 1) != (line, col):
            started = f" that started at line {cm.line + 1}, column {cm.column + 1}"
            started_zh = f"，始于第 {cm.line + 1} 行第 {cm.column + 1} 列"
        ctx = f" ({exc.context}{started})"
        ctx_zh = f"（{_CONTEXTS_ZH.get(exc.context, exc.context)}{started_zh}）"
    return _diag(file, line, col, f"YAML syntax error: {problem}{ctx}",
                 f"YAML 语法错误：{problem_zh}{ctx_zh}", _syntax_hint(problem, exc.context or ""))


def _syntax_hint(problem: str, context: str = "") -> Text:
    if "quoted scalar" in context and "end of stream" in problem:
        return Text("A quote is never closed: add the closing quote where the text ends.",
                    "引号没有闭合：请在文本结束处补上对应的引号。")
    if "flow" in context and ("end>" in problem or "did not find expected" in problem):
        return Text("A [ or { is never closed, or a comma is missing between items.",
                    "某个 [ 或 { 没有闭合，或项目之间缺少逗号。")
    if "tab" in problem:
        return Text("Indent with spaces, not tabs.", "请用空格缩进，不要用制表符。")
    if "mapping values are not allowed" in problem:
        return Text("A value containing ': ' must be quoted, or a key is mis-indented.",
                    "含有“: ”的值需要加引号，或者某个键缩进有误。")
    if "could not find expected ':'" in problem:
        return Text("A key is missing its colon, or a quoted string is not closed.",
                    "某个键缺少冒号，或某个引号没有闭合。")
    return Text("Check the indentation and quoting around this line.", "请检查该行附近的缩进和引号。")
