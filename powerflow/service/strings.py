"""The words of the dashboard in Chinese and English (one table, looked up by key).

Takes nothing; gives `STRINGS[lang][key]`. Must not: hold markup.
"""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN", "title": "电子监察", "other_lang": "English",
        "login": "登录", "logout": "退出", "name": "用户名", "password": "密码",
        "bad_login": "用户名或密码不正确。", "throttled": "登录失败次数过多，请 15 分钟后再试。",
        "live_cases": "在办件", "as_of": "截至", "red": "红牌", "yellow": "黄牌",
        "green": "正常", "none": "无时限", "done": "已办结", "all": "全部", "card": "亮牌",
        "case": "办件编号", "power": "职权事项", "unit": "承办单位", "step": "当前环节",
        "case_days": "办件用时（工作日）", "step_days": "本环节用时（工作日）",
        "opened": "受理时间", "updated": "最近办理", "findings": "问题",
        "filter": "筛选", "sort": "排序", "search": "办件编号包含", "include_done": "含已办结",
        "page": "第 {page} / {pages} 页，共 {total} 件", "prev": "上一页", "next": "下一页",
        "no_cases": "没有符合条件的办件。", "role": "角色", "clerk": "经办人员",
        "supervisor": "监督人员", "admin": "管理员", "back": "← 返回在办件",
        "chart": "流程图（已走路径）", "path": "办理路径", "entered": "进入", "left": "离开",
        "days": "用时", "limit": "时限", "status": "状态", "persons": "经办人",
        "trail": "留痕（哈希链）", "seq": "序号", "time": "时间", "event": "事项",
        "person": "办理人", "post": "岗位", "evidence": "留痕材料", "from_to": "环节变化",
        "refused": "被拒绝", "risks": "经过的廉政风险点", "risk": "风险点", "controls": "防控措施",
        "record_event": "登记办理事项", "submit": "提交", "accepted_msg": "已登记。",
        "refused_msg": "流程不允许该事项，已作为被拒绝的尝试留痕。", "facts": "办件事实",
        "outcome": "办理结果", "promised": "承诺时限", "statutory": "法定时限",
        "wd": "个工作日", "no_findings": "未发现问题。", "evidence_hint": "多项用逗号分隔",
        "user": "用户", "hash": "哈希", "step_col": "环节", "colon": "：",
    },
    "en": {
        "html_lang": "en", "title": "Electronic supervision", "other_lang": "中文",
        "login": "Sign in", "logout": "Sign out", "name": "User name", "password": "Password",
        "bad_login": "Wrong user name or password.",
        "throttled": "Too many failed sign-ins; try again in 15 minutes.",
        "live_cases": "Live cases", "as_of": "as of", "red": "Red", "yellow": "Yellow",
        "green": "On time", "none": "No limit", "done": "Finished", "all": "All",
        "card": "Card", "case": "Case", "power": "Power", "unit": "Unit", "step": "Step",
        "case_days": "Case (working days)", "step_days": "Step (working days)",
        "opened": "Opened", "updated": "Last event", "findings": "Findings",
        "filter": "Filter", "sort": "Sort", "search": "Case id contains",
        "include_done": "include finished", "page": "page {page} of {pages}, {total} cases",
        "prev": "Previous", "next": "Next", "no_cases": "No case matches.", "role": "Role",
        "clerk": "Clerk", "supervisor": "Supervisor", "admin": "Admin",
        "back": "← Back to the live cases", "chart": "Flowchart with the path taken",
        "path": "Path", "entered": "Entered", "left": "Left", "days": "Days",
        "limit": "Limit", "status": "Status", "persons": "Persons",
        "trail": "Trail (hash chain)", "seq": "#", "time": "Time", "event": "Event",
        "person": "Person", "post": "Post", "evidence": "Evidence", "from_to": "Step change",
        "refused": "refused", "risks": "Risk points passed", "risk": "Risk",
        "controls": "Controls", "record_event": "Record an event", "submit": "Submit",
        "accepted_msg": "Recorded.",
        "refused_msg": "The flow does not allow that event; the attempt is kept as refused.",
        "facts": "Facts", "outcome": "Outcome", "promised": "Promised limit",
        "statutory": "Statutory limit", "wd": "working days", "no_findings": "No findings.",
        "evidence_hint": "several: separate with commas", "user": "User", "hash": "Hash",
        "step_col": "Step", "colon": ": ",
    },
}
