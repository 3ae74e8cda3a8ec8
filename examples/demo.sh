#!/usr/bin/env bash
# The main job on the sample catalogue (run by `make demo`): check every power, draw its
# flowchart, publish the public site, export the risk-control table, audit example cases,
# simulate 1,000 random cases, and audit a real municipal permit log when ../shared/data is here.
# A step that finds problems on purpose (the violating example case, the real log) exits 1;
# anything worse (exit 2: a usage or internal error) stops the demo.
set -uo pipefail
cd "$(dirname "$0")/.."
PF=${PF:-.venv/bin/powerflow}
OUT=${OUT:-out}
LANG_OPT=(--lang "${DEMO_LANG:-zh}")
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
run() {  # run a command; exit 0 or 1 (findings) is fine, anything else stops the demo
  "$@"; rc=$?
  if [ "$rc" -gt 1 ]; then echo "demo: '$*' failed with exit code $rc" >&2; exit "$rc"; fi
  return 0
}

step "1. Check the power list: format, structure, controls, duties, time limits"
run "$PF" check flows/ --no-cache "${LANG_OPT[@]}"

step "2. Flowcharts (SVG for the web, PDF for print, PNG at 150 dpi) → $OUT/charts/"
run "$PF" render flows/ -o "$OUT/charts" --format svg,pdf,png --dpi 150

step "3. The public site of the whole power list → $OUT/site/index.html"
run "$PF" publish flows/ -o "$OUT/site" -q

step "4. The risk-control table (廉政风险防控表) → $OUT/risk-table.xlsx, .csv"
run "$PF" risk-table flows/ -o "$OUT/risk-table.xlsx"
run "$PF" risk-table flows/ -o "$OUT/risk-table.csv"

step "5. Audit one case that went by the book, and one that did not"
FLOW=flows/kj-fx-0012-project-approval.yaml
run "$PF" simulate "$FLOW" examples/cases/KJ-FX-0012/clean.case.yaml "${LANG_OPT[@]}"
run "$PF" simulate "$FLOW" examples/cases/KJ-FX-0012/violating.case.yaml "${LANG_OPT[@]}"
run "$PF" simulate "$FLOW" examples/cases/KJ-FX-0012/violating.case.yaml "${LANG_OPT[@]}" \
  --format html -o "$OUT/case-report.html"

step "6. 1,000 random cases of the same power: working days and the chance of overrunning"
run "$PF" simulate "$FLOW" --random 1000 --seed 1 "${LANG_OPT[@]}" -o "$OUT/random.svg"

LOG=../shared/data/receipt.xes.gz
if [ -f "$LOG" ]; then
  step "7. Audit a real event log (a municipal permit receipt phase, 1,434 cases) → $OUT/audit/"
  run "$PF" audit examples/realdata/receipt.yaml "$LOG" -o "$OUT/audit" "${LANG_OPT[@]}"
else
  step "7. (skipped: no real event log at $LOG)"
fi

step "8. The supervision service: the example cases imported into $OUT/service/"
rm -rf "$OUT/service"
run "$PF" service import examples/cases/*/{clean,violating,open,overdue}.case.yaml \
  --data "$OUT/service" --unit 科技局 "${LANG_OPT[@]}"
echo "demo-password-2025" | run "$PF" service user 纪检组 --role supervisor --data "$OUT/service"
echo "demo-password-2025" | run "$PF" service user 经办人 --role clerk --unit 科技局 --data "$OUT/service"
echo "Start the dashboard: $PF serve --data $OUT/service  (http://127.0.0.1:8000/, sign in as"
echo "纪检组 or 经办人 with the password demo-password-2025)"

step "Produced"
find "$OUT" -maxdepth 2 \( -name '*.html' -o -name '*.xlsx' -o -name '*.csv' -o -name '*.svg' -o -name '*.pdf' -o -name '*.png' \) \
  -not -path "$OUT/site/*" -not -path "$OUT/docs/*" | sort | head -40
echo "$OUT/site/index.html  (the public site: open it in a browser)"
