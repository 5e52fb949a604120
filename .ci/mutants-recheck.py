"""Re-check the survivors of a cargo-mutants run against the current tests.

    git worktree add --detach /tmp/recheck HEAD
    python3 .ci/mutants-recheck.py /tmp/recheck OUT_DIR [OUT_DIR ...]

For each MissedMutant in OUT_DIR/mutants.out/outcomes.json (a `cargo mutants --output OUT_DIR`
run), applies its diff to the scratch worktree, runs `cargo test --lib`, and reverts: `killed`
(a test now fails), `SURVIVES`, or `does not apply` (the code changed since the run). Unit tests
only: a survivor that only an integration test could kill needs a cargo-mutants rerun. Prints one
line per mutant and writes OUT_DIR/recheck.json. Not run by .ci/run.

RECHECK_TEST_ARGS replaces the `--lib` after `cargo test -q` (e.g. `--lib simulation::` for one
module's unit tests, or `--release --lib --test main` for everything but the doc tests).
"""
import json, subprocess, sys, os

test_args = os.environ.get("RECHECK_TEST_ARGS", "--lib").split()

tree = sys.argv.pop(1)
results = []
for run in sys.argv[1:]:
    out = f"{run}/mutants.out"
    d = json.load(open(f"{out}/outcomes.json"))
    for o in d["outcomes"]:
        if o["summary"] != "MissedMutant":
            continue
        name = o["scenario"]["Mutant"]["name"]
        diff = f"{out}/{o['diff_path']}"
        p = subprocess.run(["patch", "-p0", "-s", "-F", "3", "-i", diff], cwd=tree, capture_output=True, text=True)
        if p.returncode != 0:
            subprocess.run(["git", "checkout", "-q", "--", "src"], cwd=tree)
            subprocess.run("rm -f src/*.orig src/*.rej", shell=True, cwd=tree)
            results.append((name, "does not apply (code changed)"))
            print(results[-1], flush=True)
            continue
        t = subprocess.run(["cargo", "test", "-q", *test_args], cwd=tree, capture_output=True, text=True,
                           env={**os.environ, "CARGO_TARGET_DIR": f"{tree}/target"}, timeout=600)
        status = "killed" if t.returncode != 0 else "SURVIVES"
        if "error[E" in t.stderr and "test result" not in t.stdout:
            status = "unviable now"
        subprocess.run(["git", "checkout", "-q", "--", "src"], cwd=tree)
        results.append((name, status))
        print(results[-1], flush=True)
    json.dump(results, open(f"{run}/recheck.json", "w"), indent=1)
    results = []
