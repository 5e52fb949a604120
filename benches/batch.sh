#!/usr/bin/env bash
# Throughput of `qitech-sim batch` and `batch --summary`: N varied 96-installment requests (face
# values 50–3,000, monthly rates 1–3 %, disbursement dates in 2023–2025), based on
# fixtures/airforce/simulation_request.json without its refinanced operations, each run with its
# output discarded (/dev/null) and written to a file. Prints quotes/s and peak RSS
# (`/usr/bin/time -v`; `apt-get install -y time` when it is missing).
#
#   benches/batch.sh [N]        (N = 20000 by default)
#
# BATCH_BENCH_DIR keeps the files in that directory; BATCH_BENCH_INPUT_ONLY=1 writes the input
# there and runs nothing (benches/targets.sh: its rounds then do not share the machine with the
# writeback of the 1.3 GB `batch > file` output).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
WORK=${BATCH_BENCH_DIR:-$(mktemp -d)}
BIN=${QITECH_SIM:-target/release/qitech-sim}
[ -x /usr/bin/time ] || { echo "benches/batch.sh: /usr/bin/time missing (apt-get install -y time)" >&2; exit 2; }
[ -n "${QITECH_SIM:-}" ] || cargo build --release --quiet
INPUT="$WORK/requests.jsonl"
python3 - "$N" "$INPUT" <<'PY'
import datetime, json, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
base = json.load(open("fixtures/airforce/simulation_request.json"))
base.pop("refinanced_credit_operations", None)
rng = random.Random(20000)
start, span = datetime.date(2023, 1, 1), (datetime.date(2025, 12, 31) - datetime.date(2023, 1, 1)).days
with open(path, "w") as out:
    for _ in range(n):
        r = json.loads(json.dumps(base))
        f = r["financial"]
        d = start + datetime.timedelta(days=rng.randrange(span))
        f["disbursement_date"] = d.isoformat()
        f["first_due_date"] = (d + datetime.timedelta(days=rng.randrange(20, 60))).isoformat()
        f["installment_face_value"] = round(rng.uniform(50, 3000), 2)
        f["monthly_interest_rate"] = round(rng.uniform(0.01, 0.03), 4)
        out.write(json.dumps(r, separators=(",", ":")) + "\n")
PY
[ -z "${BATCH_BENCH_INPUT_ONLY:-}" ] || exit 0
echo "input: $N requests of 96 installments, $(du -h "$INPUT" | cut -f1) ($INPUT); $(nproc) cores; $(uptime)"
run() { # label, output path, batch arguments…
    local label=$1 out=$2; shift 2
    local log="$WORK/time.log"
    local t0 t1 secs rss
    t0=$(date +%s.%N)
    /usr/bin/time -v "$BIN" batch "$INPUT" "$@" > "$out" 2> "$log" || { cat "$log" >&2; exit 1; }
    t1=$(date +%s.%N)
    secs=$(echo "$t1 - $t0" | bc -l)
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
    local size="discarded"
    [ "$out" = /dev/null ] || size="$(du -h "$out" | cut -f1) written"
    printf '%-30s %6.2f s  %8.0f quotes/s  peak RSS %4s MB  (%s)\n' \
        "$label" "$secs" "$(echo "$N / $secs" | bc -l)" "$rss" "$size"
}
run "batch > /dev/null" /dev/null
run "batch > file" "$WORK/full.jsonl"
run "batch --summary > /dev/null" /dev/null --summary
run "batch --summary > file" "$WORK/summary.jsonl" --summary
[ -n "${BATCH_BENCH_DIR:-}" ] || rm -rf "$WORK"
