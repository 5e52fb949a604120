#!/usr/bin/env bash
# Issue 22's yardstick: each workload as a ratio to an f64 walk of the same 96-installment schedule
# (thread CPU, same process, median of 9 interleaved rounds), then the instructions of one call of
# each (callgrind: an (N+1)-call run minus a 1-call run, over N), which do not depend on the load.
#
#   benches/ratios.sh [N]        (N = 20 by default; needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
echo "$(date -u +%FT%TZ); $(nproc) cores; $(uptime)"
BIN=$(cargo bench --bench ratios --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "ratios" and m.get("executable"):
        print(m["executable"])')
"$BIN"
command -v valgrind > /dev/null || { echo "benches/ratios.sh: valgrind missing" >&2; exit 2; }
instr() { # workload, iterations
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" --only "$1" --iters "$2" 2>&1 |
        awk '/Collected :/ {print $NF}'
    rm -f "$out"
}
printf '%-32s %14s\n' workload "instr/call"
for w in f64_walk_96 simulation_96_with_cet simulation_96_with_4_options \
    disbursed_gross_up_12_with_cet bridge_loan_gross_up batch_line_96_end_to_end \
    summary_line_96_end_to_end; do
    one=$(instr "$w" 1)
    many=$(instr "$w" $((N + 1)))
    printf '%-32s %14d\n' "$w" $(((many - one) / N))
done
