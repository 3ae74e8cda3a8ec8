"""A seeded corpus of generated power files whose shapes the sample catalogue lacks.

Each flow has 3-7 lanes and 5-18 steps: a main line with labelled branches forward and
sideways, send-backs (some parallel, with different labels), early refusals, supervision links,
risks on random steps, and labels of one to three lines in Chinese or English. Used by the
layout tests (collision count, paper fit); not realistic text, realistic shapes.
"""

from __future__ import annotations

import json
import random
from itertools import pairwise
from typing import Any

__all__ = ["generated_flows"]

_WORDS = ["受理", "审查", "复核", "会审", "决定", "送达", "公示", "补正", "核查", "听证", "评审",
          "签批", "备案", "告知", "现场核查", "集体研究", "材料审核", "合法性审查"]
_LABELS = ["符合条件", "材料不全 一次性告知", "不符合条件", "有异议", "无异议", "同意",
           "不同意", "事实不清 补充调查", "超过限额报分管领导", "需要现场核查", "退回重新办理",
           "approved", "needs a site inspection before the decision", "returned"]
_ACTORS = ["申请人", "政务服务窗口", "业务科室", "法规科", "分管副局长", "局务会", "专家组",
           "纪检监察", "财务科"]


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _flow(rng: random.Random, i: int) -> dict[str, Any]:
    lanes = rng.sample(range(len(_ACTORS) - 1), rng.randint(3, 7))
    actors = {f"a{k}": {"name": _ACTORS[k], "kind": "external" if k == 0 else "office"}
              for k in lanes}
    actors["d"] = {"name": "纪检监察组", "kind": "supervisor"}
    ids = list(actors)[:-1]
    n = rng.randint(5, 18)
    steps: dict[str, Any] = {"s0": {"name": "申请", "actor": ids[0], "kind": "start"}}
    for k in range(1, n):
        steps[f"s{k}"] = {"name": rng.choice(_WORDS) + ("" if rng.random() < .7 else "并出具意见"),
                          "actor": rng.choice(ids), "kind": rng.choice(["task", "review",
                                                                        "decision"]),
                          "limit": rng.randint(1, 20)}
    steps["ok"] = {"name": "办结", "actor": rng.choice(ids), "kind": "end", "outcome": "granted"}
    steps["no"] = {"name": "不予许可", "actor": rng.choice(ids), "kind": "end",
                   "outcome": "refused", "written_reasons": True}
    steps["sv"] = {"name": "全程监督", "actor": "d", "kind": "supervision",
                   "supervises": [{"step": f"s{rng.randint(1, n - 1)}", "label": "监督抽查"}]}
    main = [f"s{k}" for k in range(n)] + ["ok"]
    trans = []
    for e, (a, b) in enumerate(pairwise(main)):
        t: dict[str, Any] = {"from": a, "to": b, "event": f"e{e}"}
        if rng.random() < .5:
            t["label"] = rng.choice(_LABELS)
        trans.append(t)
    for e in range(rng.randint(1, 4)):
        a = rng.randint(1, n - 1)
        if rng.random() < .5 and a > 1:
            back = f"s{rng.randint(1, a - 1)}"
            for p in range(rng.choice([1, 1, 2])):
                trans.append({"from": f"s{a}", "to": back, "event": f"b{e}_{p}",
                              "kind": "send_back", "label": rng.choice(_LABELS)})
        else:
            trans.append({"from": f"s{a}", "to": "no", "event": f"r{e}",
                          "label": rng.choice(_LABELS)})
    if not any(t["to"] == "no" for t in trans):
        trans.append({"from": "s1", "to": "no", "event": "r_last", "label": "不符合条件"})
    risks = {f"R{k + 1}": {"at": f"s{rng.randint(1, n - 1)}",
                           "level": rng.choice(["高", "中", "低"]), "description": "风险描述",
                           "responsible": ids[-1], "controls": [
                               {"name": "双人复核", "evidence": f"ev{k}", "owner": ids[-1]}]}
             for k in range(rng.randint(0, 5))}
    return {"power": {"code": f"GN-XK-{i:04d}", "name": f"生成的职权第{i}号",
                      "category": "行政许可", "limits": {"statutory": 20, "promised": 15},
                      "legal_basis": [{"rank": "法律", "instrument": "《某法》", "article": "第一条"}],
                      "supervision": {"hotline": "0000-1234567"}},
            "actors": actors, "steps": steps, "transitions": trans, "risks": risks}


def generated_flows(n: int, seed: int = 13) -> list[str]:
    """`n` power files as YAML text (JSON is YAML), the same for the same seed."""
    rng = random.Random(seed)
    return [json.dumps(_flow(rng, i), ensure_ascii=False, indent=1) for i in range(n)]
