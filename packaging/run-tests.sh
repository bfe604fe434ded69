#!/usr/bin/env bash
# Runs every test of grouter: installs what is missing, builds, then runs
#   1. the unit tests (GoogleTest, through meson test),
#   2. the libFuzzer targets briefly (FUZZ_SECONDS per target, default 10),
#   3. the integration tests (pytest, real MariaDB nodes from packaging/sandbox.sh, real clients).
# Ends with one line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/build"
results="$build/test-results"
fuzz_seconds="${FUZZ_SECONDS:-10}"

step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies"
bash packaging/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

step "building"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" >/dev/null || { echo "meson setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$results"

step "unit tests"
meson test -C "$build" --print-errorlogs
unit_rc=$?

step "fuzz targets (${fuzz_seconds}s each)"
if [ -x tests/fuzz/run.sh ]; then
  tests/fuzz/run.sh "$fuzz_seconds" 2>&1 | tee "$results/fuzz.txt"
  fuzz_rc=${PIPESTATUS[0]}
else
  echo "tests/fuzz/run.sh missing" | tee "$results/fuzz.txt"
  fuzz_rc=1
fi

step "integration tests"
# mysql2 for the node test client, pinned by tests/clients/node/package-lock.json.
(cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error) ||
  echo "npm ci failed: the mysql2 tests will fail"
GROUTER_BIN="$build/router/grouter" GROUTER_TEST_RESULTS="$results" \
  /usr/bin/python3 -m pytest tests/integration -q \
  -p no:cacheprovider --junitxml="$results/integration.xml"
integration_rc=$?

/usr/bin/python3 - "$build/meson-logs/testlog.junit.xml" "$results/integration.xml" \
  "$results/fuzz.txt" "$unit_rc" "$fuzz_rc" "$integration_rc" <<'PY'
import sys
import xml.etree.ElementTree as ET

unit_xml, integration_xml, fuzz_txt = sys.argv[1:4]
unit_rc, fuzz_rc, integration_rc = (int(x) for x in sys.argv[4:7])

def count(path, rc, label):
    passed = failed = 0
    try:
        for case in ET.parse(path).getroot().iter("testcase"):
            if case.find("skipped") is not None:
                failed += 1  # a skipped test is not a passed one
                print(f"{label}: skipped counts as failed: {case.get('classname')}.{case.get('name')}")
            elif case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            else:
                passed += 1
    except (OSError, ET.ParseError) as e:
        print(f"{label}: no results ({e})")
    if rc != 0 and failed == 0:
        failed = 1  # the runner failed without a failing case (a crash, a build error)
    return passed, failed

def count_fuzz(path, rc):
    passed = failed = 0
    try:
        for line in open(path):
            if line.startswith("fuzz "):
                if ": ok" in line:
                    passed += 1
                else:
                    failed += 1
    except OSError:
        pass
    if rc != 0 and failed == 0:
        failed = 1
    return passed, failed

totals = [count(unit_xml, unit_rc, "unit"), count_fuzz(fuzz_txt, fuzz_rc),
          count(integration_xml, integration_rc, "integration")]
for name, (p, f) in zip(["unit", "fuzz", "integration"], totals):
    print(f"{name}: {p} passed, {f} failed")
passed = sum(p for p, _ in totals)
failed = sum(f for _, f in totals)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
