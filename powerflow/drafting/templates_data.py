"""The category templates as data: roles, steps, transitions, risk points, separations.

Takes nothing; gives `ROLES` (who does what, and how to find that actor in a catalogue) and
`TEMPLATES` (licensing, penalty, award, other). Content follows the Administrative Licensing Law,
the Administrative Penalty Law (2021) and published award-review charts (see DOMAIN.md §3-6).
`powerflow.drafting.templates` turns them into a power file.

Must not: import anything but the standard library; hold any department-specific name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ROLES", "TEMPLATES", "ControlSpec", "RiskSpec", "Role", "StepSpec", "Template",
           "TransitionSpec"]


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    name_en: str
    kind: str
    kinds: tuple[str, ...]
    prefer: tuple[str, ...] = ()
    require_word: bool = False
    min_size: int | None = None


ROLES: dict[str, Role] = {r.key: r for r in (
    Role("applicant", "申请人", "Applicant", "external", ("external",), ("申请", "申报")),
    Role("party", "当事人", "Party concerned", "external", ("external",), ("当事人",), True),
    Role("window", "政务服务窗口", "Service window", "office", ("office", "post"), ("窗口",), True),
    Role("office", "承办科室", "Handling office", "office", ("office", "post")),
    Role("investigators", "执法人员（两名以上）", "Law-enforcement officers (two or more)", "post",
         ("post",), ("执法",), True, 2),
    Role("legal", "法制审核机构", "Legal review office", "office", ("office", "post"),
         ("法规", "法制", "法律"), True),
    Role("leader", "分管领导", "Leader in charge", "leader", ("leader",), ("分管", "副")),
    Role("collective", "局务会", "Bureau affairs meeting", "collective", ("collective",),
         ("局务会", "会"), False, 5),
    Role("panel", "专家组", "Expert panel", "panel", ("panel",), ("专家",), False, 5),
    Role("supervisor", "纪检监察", "Discipline inspection", "supervisor", ("supervisor",),
         ("纪检", "监察", "监督")),
)}


@dataclass(frozen=True)
class StepSpec:
    id: str
    name: str
    role: str
    kind: str
    weight: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TransitionSpec:
    src: str
    dst: str
    event: str
    label: str | None = None
    send_back: bool = False
    condition: dict[str, Any] | None = None


@dataclass(frozen=True)
class ControlSpec:
    name: str
    owner: str
    evidence: str | None = None
    step: str | None = None


@dataclass(frozen=True)
class RiskSpec:
    id: str
    at: str
    level: str
    description: str
    controls: tuple[ControlSpec, ...]


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    steps: list[StepSpec]
    transitions: list[TransitionSpec]
    risks: list[RiskSpec] = field(default_factory=list)
    separation: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    role_names: dict[str, str] = field(default_factory=dict)


_REFUSAL = {"written_reasons": True, "appeal_notice": True}

LICENSING = Template(
    "licensing", "行政许可：申请→受理→审查→决定→送达",
    steps=[
        StepSpec("apply", "申请", "applicant", "start"),
        StepSpec("accept", "受理", "window", "task", 1, {"documents": ["受理通知书"]}),
        StepSpec("supplement", "补正材料", "applicant", "task", 0, {"clock": "paused"}),
        StepSpec("not_accepted", "不予受理", "window", "end",
                 0, {"outcome": "not_accepted", **_REFUSAL, "documents": ["不予受理通知书"]}),
        StepSpec("review", "审查", "office", "review", 3, {"documents": ["审查意见"]}),
        StepSpec("decide", "决定", "leader", "decision", 1),
        StepSpec("refused", "不予许可", "office", "end",
                 0, {"outcome": "refused", **_REFUSAL, "documents": ["不予许可决定书"]}),
        StepSpec("deliver", "送达", "window", "task", 1, {"documents": ["许可证件"]}),
        StepSpec("granted", "准予许可", "window", "end", 0, {"outcome": "granted"}),
        StepSpec("supervise", "全程监督", "supervisor", "supervision", 0,
                 {"supervises": [{"step": "review", "label": "监督"},
                                 {"step": "decide", "label": "监督"}]}),
    ],
    transitions=[
        TransitionSpec("apply", "accept", "submit", "提交申请材料"),
        TransitionSpec("accept", "review", "accept_application", "材料齐全 予以受理"),
        TransitionSpec("accept", "supplement", "request_supplement", "材料不全 一次性告知", True),
        TransitionSpec("supplement", "accept", "resubmit", "补正后重新提交", True),
        TransitionSpec("accept", "not_accepted", "refuse_acceptance", "不属于受理范围"),
        TransitionSpec("review", "decide", "submit_opinion", "审查意见"),
        TransitionSpec("decide", "deliver", "grant", "准予许可"),
        TransitionSpec("decide", "refused", "refuse", "不予许可"),
        TransitionSpec("deliver", "granted", "deliver", "送达许可证件"),
    ],
    risks=[
        RiskSpec("R1", "accept", "medium", "对符合条件的申请不予受理或拖延受理；未一次性告知需补正的材料",
                 (ControlSpec("一次性告知", "window", evidence="one_time_notice"),
                  ControlSpec("受理登记台账", "window", evidence="intake_register"))),
        RiskSpec("R2", "review", "medium", "擅自增减审查条件；审查把关不严或故意刁难",
                 (ControlSpec("双人审查并签字", "office", evidence="two_person_signoff"),
                  ControlSpec("分管领导审核决定", "leader", step="decide"))),
        # medium: a licence decision by the leader in charge (a high grade would need a
        # collective body, PF304); raise it and add a collective step where the power warrants it
        RiskSpec("R3", "decide", "medium", "违反审查意见作出决定；对不符合条件的申请准予许可",
                 (ControlSpec("审批留痕", "leader", evidence="approval_trail"),
                  ControlSpec("纪检监察抽查", "supervisor", evidence="spot_check"))),
    ],
    separation=[(("accept", "review"), "受理与审查分离"), (("review", "decide"), "审查与决定分离")],
)

PENALTY = Template(
    "penalty", "行政处罚：立案→调查取证→审核→告知→决定→送达→执行→结案",
    steps=[
        StepSpec("file", "立案", "office", "start", 0, {"documents": ["立案审批表"]}),
        StepSpec("investigate", "调查取证", "investigators", "task", 4,
                 {"documents": ["询问笔录", "现场检查笔录"], "investigation": True}),
        StepSpec("withdrawn", "撤销立案", "office", "end", 0, {"outcome": "withdrawn"}),
        StepSpec("transferred", "移送", "office", "end", 0, {"outcome": "transferred"}),
        StepSpec("review", "法制审核", "legal", "review", 1, {"documents": ["法制审核意见"]}),
        StepSpec("notify", "告知", "office", "task", 1,
                 {"documents": ["行政处罚事先告知书"], "prior_notice": True}),
        StepSpec("hearing", "听证", "legal", "task", 1,
                 {"documents": ["听证笔录"], "hearing": True}),
        StepSpec("decide", "决定", "leader", "decision", 1),
        StepSpec("collective", "集体讨论", "collective", "decision", 1, {"documents": ["集体讨论记录"]}),
        StepSpec("no_penalty", "不予处罚", "office", "end", 0,
                 {"outcome": "no_penalty", "written_reasons": True}),
        StepSpec("deliver", "送达", "office", "task", 1, {"documents": ["行政处罚决定书"]}),
        StepSpec("enforce", "执行", "office", "task", 1),
        StepSpec("closed", "结案", "office", "end", 0,
                 {"outcome": "penalised", "written_reasons": True, "appeal_notice": True}),
        StepSpec("supervise", "执法监督", "supervisor", "supervision", 0,
                 {"supervises": [{"step": "decide", "label": "监督"},
                                 {"step": "collective", "label": "列席"}]}),
    ],
    transitions=[
        TransitionSpec("file", "investigate", "open_case", "批准立案"),
        TransitionSpec("investigate", "review", "finish_investigation", "调查终结报告"),
        TransitionSpec("investigate", "withdrawn", "facts_not_established", "违法事实不成立"),
        TransitionSpec("investigate", "transferred", "transfer", "不属本机关管辖或涉嫌犯罪"),
        TransitionSpec("review", "notify", "approve_review", "审核通过"),
        TransitionSpec("review", "investigate", "return_for_evidence", "证据不足 补充调查", True),
        TransitionSpec("notify", "decide", "decide_normal", "一般案件",
                       condition={"not": {"fact": "major_case", "op": "==", "value": True}}),
        TransitionSpec("notify", "collective", "refer_collective", "情节复杂或重大违法",
                       condition={"fact": "major_case", "op": "==", "value": True}),
        TransitionSpec("notify", "hearing", "request_hearing", "当事人5日内要求听证",
                       condition={"fact": "hearing_requested", "op": "==", "value": True}),
        TransitionSpec("hearing", "decide", "heard", "听证报告 一般案件",
                       condition={"not": {"fact": "major_case", "op": "==", "value": True}}),
        TransitionSpec("hearing", "collective", "heard_major", "听证报告 重大案件",
                       condition={"fact": "major_case", "op": "==", "value": True}),
        TransitionSpec("decide", "deliver", "impose", "作出处罚决定"),
        TransitionSpec("decide", "no_penalty", "no_penalty", "不予处罚"),
        TransitionSpec("collective", "deliver", "impose_collective", "集体讨论决定处罚"),
        TransitionSpec("collective", "no_penalty", "no_penalty_collective", "集体讨论决定不予处罚"),
        TransitionSpec("deliver", "enforce", "delivered", "送达当事人"),
        TransitionSpec("enforce", "closed", "close", "执行完毕 结案归档"),
    ],
    risks=[
        RiskSpec("R1", "investigate", "high", "选择性取证或调查不全面；执法人员少于两人；应回避未回避",
                 (ControlSpec("两人以上执法并出示证件", "investigators", evidence="two_officer_record"),
                  ControlSpec("回避声明", "investigators", evidence="recusal_declaration"),
                  ControlSpec("法制审核", "legal", step="review"))),
        # medium for an ordinary decision; major cases need a collective step (PF304 if graded high)
        RiskSpec("R2", "decide", "medium", "处罚畸轻畸重、滥用自由裁量权；重大案件未经集体讨论",
                 (ControlSpec("对照裁量基准记录", "legal", evidence="discretion_benchmark"),
                  ControlSpec("审批留痕", "leader", evidence="approval_trail"))),
        RiskSpec("R3", "enforce", "medium", "罚没款未按规定上缴；执行不到位",
                 (ControlSpec("罚缴分离凭证", "office", evidence="separate_collection"),
                  ControlSpec("纪检监察抽查", "supervisor", evidence="spot_check"))),
    ],
    separation=[(("investigate", "review"), "调查与审核分离"), (("review", "decide"), "审核与决定分离")],
    facts={"major_case": "是否情节复杂或重大违法行为（是/否）",
           "hearing_requested": "当事人是否在告知后5日内要求听证（是/否）"},
    role_names={"applicant": "当事人"},
)

AWARD = Template(
    "award", "行政奖励：申报→形式审查→专家评审→公示→审定→颁奖",
    steps=[
        StepSpec("apply", "申报", "applicant", "start"),
        StepSpec("formal_review", "形式审查", "office", "review", 2),
        StepSpec("returned", "退回", "office", "end", 0,
                 {"outcome": "not_accepted", **_REFUSAL}),
        StepSpec("expert_review", "专家评审", "panel", "review", 7,
                 {"clock": "excluded", "expert": True, "documents": ["专家评审意见"]}),
        StepSpec("publicity", "公示", "office", "notice", 7,
                 {"notice_days": 7, "clock": "excluded"}),
        StepSpec("objection", "异议处理", "office", "review", 2),
        StepSpec("decide", "审定", "collective", "decision", 1, {"documents": ["会议纪要"]}),
        StepSpec("refused", "不予奖励", "office", "end", 0, {"outcome": "refused", **_REFUSAL}),
        StepSpec("ceremony", "颁奖", "office", "task", 1, {"documents": ["获奖证书"]}),
        StepSpec("granted", "授奖", "office", "end", 0, {"outcome": "granted"}),
        StepSpec("supervise", "全程监督", "supervisor", "supervision", 0,
                 {"supervises": [{"step": "expert_review", "label": "监督抽取"},
                                 {"step": "decide", "label": "列席"}]}),
    ],
    transitions=[
        TransitionSpec("apply", "formal_review", "submit", "提交申报材料"),
        TransitionSpec("formal_review", "returned", "fail_formal", "不符合申报条件"),
        TransitionSpec("formal_review", "expert_review", "pass_formal", "符合申报条件"),
        TransitionSpec("expert_review", "publicity", "propose", "拟奖名单"),
        TransitionSpec("publicity", "decide", "no_objection", "无异议"),
        TransitionSpec("publicity", "objection", "object", "有异议"),
        TransitionSpec("objection", "decide", "dismiss_objection", "异议不成立"),
        TransitionSpec("objection", "refused", "uphold_objection", "异议成立"),
        TransitionSpec("decide", "ceremony", "approve", "审定通过"),
        TransitionSpec("decide", "refused", "decline", "不予奖励"),
        TransitionSpec("ceremony", "granted", "close", "颁发证书"),
    ],
    risks=[
        RiskSpec("R1", "formal_review", "low", "审查标准不一；对不符合条件的申报予以通过",
                 (ControlSpec("双人审查并签字", "office", evidence="two_person_signoff"),)),
        RiskSpec("R2", "expert_review", "high", "专家与申报单位有利害关系；打招呼、泄露评审信息",
                 (ControlSpec("专家库随机抽取", "supervisor", evidence="random_draw_record"),
                  ControlSpec("回避声明", "panel", evidence="recusal_declaration"),
                  ControlSpec("评分表署名存档", "office", evidence="signed_score_sheet"))),
        RiskSpec("R3", "decide", "high", "个人意见代替集体决策；违规改变评审结果",
                 (ControlSpec("会议纪要存档", "collective", evidence="meeting_minutes"),
                  ControlSpec("拟奖名单公示", "office", step="publicity"),
                  ControlSpec("纪检监察列席", "supervisor", evidence="discipline_attendance"))),
        RiskSpec("R4", "publicity", "low", "公示不及时、内容不完整；对异议不予受理",
                 (ControlSpec("公示截图存档", "office", evidence="publicity_screenshot"),)),
    ],
    separation=[(("formal_review", "expert_review"), "审查人员不得担任评审专家")],
    role_names={"applicant": "申报单位"},
)

OTHER = Template(
    "other", "其他行政权力：申请→受理→审核→审批→办结",
    steps=[
        StepSpec("apply", "申请", "applicant", "start"),
        StepSpec("accept", "受理", "window", "task", 1),
        StepSpec("handle", "审核", "office", "review", 2),
        StepSpec("decide", "审批", "leader", "decision", 1),
        StepSpec("refused", "不予办理", "office", "end", 0, {"outcome": "refused", **_REFUSAL}),
        StepSpec("done", "办结", "window", "end", 0, {"outcome": "closed"}),
    ],
    transitions=[
        TransitionSpec("apply", "accept", "submit", "提交材料"),
        TransitionSpec("accept", "handle", "accept_application", "予以受理"),
        TransitionSpec("handle", "decide", "submit_opinion", "审核意见"),
        TransitionSpec("decide", "done", "approve", "同意"),
        TransitionSpec("decide", "refused", "refuse", "不同意"),
    ],
    risks=[
        RiskSpec("R1", "handle", "medium", "审核把关不严；擅自增减办理条件",
                 (ControlSpec("审核留痕", "office", evidence="review_trail"),
                  ControlSpec("领导审批", "leader", step="decide"))),
        RiskSpec("R2", "decide", "medium", "违反审核意见审批；超越权限审批",
                 (ControlSpec("审批留痕", "leader", evidence="approval_trail"),
                  ControlSpec("限时办结", "window", evidence="deadline_record"))),
    ],
    separation=[(("handle", "decide"), "审核与审批分离")],
)

TEMPLATES: dict[str, Template] = {t.name: t for t in (LICENSING, PENALTY, AWARD, OTHER)}
