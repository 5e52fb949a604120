#!/usr/bin/env bash
# Issue 22's six targets, before and after in one run: the `ratios` bench's thread-CPU medians
# (96 + IOF + CET, 4 options, the 12-installment gross-up, the bridge loan, each also as a ratio
# to an f64 walk of the same schedule) and the CPU seconds of `qitech-sim batch --summary` and
# `batch` (full JSON) over N of `benches/batch.sh`'s 96-installment lines (user + system CPU of
# the child, from getrusage). The two builds run alternately, ROUNDS times each, so the machine's
# load falls on both; the script prints every round's figures, the range and median of each, and
# whether the median of the current build's rounds meets the target (the issue's statistic) and
# whether every round does. Instruction counts, which do not depend on the load, come from
# `benches/ratios.sh`.
#
#   benches/targets.sh [BEFORE_REV] [N] [ROUNDS]
#
# BEFORE_REV (a commit, e.g. 5f4d078) is built in a temporary worktree under target/ (or, with
# BEFORE_RATIOS and BEFORE_CLI set to that build's `ratios` bench binary and `qitech-sim`, taken
# from there); without it only the current tree is measured. N = 20000 lines, ROUNDS = 5 by
# default. Needs /usr/bin/time for `benches/batch.sh` (`apt-get install -y time`).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:-}
N=${2:-20000}
ROUNDS=${3:-5}
[ -x /usr/bin/time ] || { echo "benches/targets.sh: /usr/bin/time missing (apt-get install -y time)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The `ratios` bench binary and the CLI of the tree in $1, built into target dir $2.
build() {
    local tree=$1 target=$2
    (cd "$tree" && CARGO_TARGET_DIR=$target cargo build --release --quiet --bin qitech-sim)
    (cd "$tree" && CARGO_TARGET_DIR=$target cargo bench --bench ratios --no-run --message-format=json 2>/dev/null) |
        python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "ratios" and m.get("executable"):
        print(m["executable"])'
}

declare -A RATIOS CLI
RATIOS[after]=$(build . "$PWD/target")
CLI[after]=$PWD/target/release/qitech-sim
SIDES=(after)
if [ -n "$BEFORE" ] && [ -n "${BEFORE_RATIOS:-}" ] && [ -n "${BEFORE_CLI:-}" ]; then
    RATIOS[before]=$BEFORE_RATIOS
    CLI[before]=$BEFORE_CLI
    SIDES=(before after)
elif [ -n "$BEFORE" ]; then
    TREE=$PWD/target/targets-before-tree
    git worktree remove --force "$TREE" 2>/dev/null || true
    git worktree add --detach --quiet "$TREE" "$BEFORE"
    RATIOS[before]=$(build "$TREE" "$PWD/target/targets-before")
    CLI[before]=$PWD/target/targets-before/release/qitech-sim
    git worktree remove --force "$TREE"
    SIDES=(before after)
fi

BATCH_BENCH_DIR=$WORK BATCH_BENCH_INPUT_ONLY=1 QITECH_SIM=${CLI[after]} bash benches/batch.sh "$N"
# The builds' files on disk before the rounds, not during them.
sync
echo "$(date -u +%FT%TZ); $(nproc) cores; $(uptime); $N lines; ${BEFORE:+before $BEFORE, }after $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')"

# One measurement of every workload by one side: "side workload value unit" lines.
measure() {
    local side=$1 cpu
    "${RATIOS[$side]}" | awk -v s="$side" 'NR > 1 { sub(/×/, "", $4); printf "%s %s %s µs\n%s %s÷walk %s ×\n", s, $1, $2, s, $1, $4 }'
    for mode in summary full; do
        local args=()
        [ "$mode" = summary ] && args=(--summary)
        # The child's user + system CPU from getrusage (microseconds; `/usr/bin/time` rounds
        # to 10 ms, 3 % of a 20,000-line summary run).
        cpu=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=open("/dev/null", "w"), check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "${CLI[$side]}" batch "$WORK/requests.jsonl" "${args[@]}" 2> "$WORK/err")
        echo "$side batch_$mode $(echo "$cpu" | awk -v n="$N" '{ printf "%.0f", n / $1 }') quotes/CPU-s"
    done
}

: > "$WORK/all"
for ((r = 1; r <= ROUNDS; r++)); do
    for side in "${SIDES[@]}"; do
        measure "$side" | tee -a "$WORK/all" | sed "s/^/round $r: /"
    done
done

echo
python3 - "$WORK/all" <<'PY'
import sys, collections, statistics
targets = {
    "simulation_96_with_cet": ("µs", "<=", 15),
    "simulation_96_with_4_options": ("µs", "<=", 50),
    "disbursed_gross_up_12_with_cet": ("µs", "<=", 10),
    "bridge_loan_gross_up": ("µs", "<=", 1.3),
    "batch_summary": ("quotes/CPU-s", ">=", 60000),
    "batch_full": ("quotes/CPU-s", ">=", 20000),
}
seen = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, name, value, unit = line.split()
    seen[(side, name)].append(float(value))
sides = [s for s in ("before", "after") if any(k[0] == s for k in seen)]
print(f"{'workload':32} " + " ".join(f"{s + ' (range; median)':>34}" for s in sides) + "   target: the median of 'after' (every round)")
names = [n for n in dict.fromkeys(k[1] for k in seen)]
for name in names:
    cells = []
    for s in sides:
        v = seen.get((s, name), [])
        cells.append(f"{min(v):>10g} – {max(v):<9g}; {statistics.median(v):<9g}" if v else " " * 34)
    t = targets.get(name)
    verdict = ""
    if t:
        unit, op, goal = t
        after = seen.get(("after", name), [])
        meets = lambda x: (x <= goal) if op == "<=" else (x >= goal)
        every = all(meets(x) for x in after)
        median = bool(after) and meets(statistics.median(after))
        verdict = f"{op} {goal:g} {unit}: {'met' if median else 'NOT met'} ({'every round' if every else 'not every round'})"
    print(f"{name:32} " + " ".join(cells) + f"   {verdict}")
PY
