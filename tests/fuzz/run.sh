#!/usr/bin/env bash
# Builds every libFuzzer target (the MySQL wire codec, the statement classifier, the exchange
# tracker, the admin port's SQL) with clang-19 (ASan + UBSan) and runs each for SECONDS_PER_TARGET seconds (default 10)
# on a copy of its seed corpus. Prints one line per target and exits non-zero if any target
# crashed. Scratch files go to tests/fuzz/corpus-work/ (git-ignored).
set -u -o pipefail

seconds="${1:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$here/corpus-work"
build="$work/build"
cxx="${CXX_FUZZ:-clang++-19}"
flags=(-std=c++23 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I "$repo")

mkdir -p "$build"

# The codec, the statement classifier and the pure command-phase tracker are compiled once
# (without the fuzzer's main) and linked into every target.
sources=("$repo"/protocol/mysql_wire/*.cc)
for name in classifier sql_tokenizer statement_parser statement_scan \
            exchange_error exchange_tracker exchange_tracker_replies session_facts statement_table \
            local_reply; do
  sources+=("$repo/routing/$name.cc")
done
for name in sql_parser sql_eval result_encoding; do
  sources+=("$repo/router/admin/$name.cc")
done
objects=()
for src in "${sources[@]}"; do
  dir="$(dirname "$src")"
  obj="$build/$(basename "$dir")-$(basename "${src%.cc}").o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "$repo/protocol/mysql_wire" "$dir" -name '*.h' -newer "$obj")" ]]; then
    "$cxx" "${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}" \
      -c "$src" -o "$obj" || { echo "fuzz build: compiling $src failed"; exit 2; }
  fi
  objects+=("$obj")
done

status=0
for src in "$here"/fuzz_*.cc; do
  target="$(basename "${src%.cc}")"
  target="${target#fuzz_}"
  binary="$build/fuzz_$target"
  if ! "$cxx" "${flags[@]}" "$src" "${objects[@]}" -lcrypto -o "$binary" 2>"$build/$target.build.log"; then
    echo "fuzz $target: BUILD FAILED (see $build/$target.build.log)"
    status=1
    continue
  fi
  corpus="$work/$target"
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "$here/corpus/$target/"* "$corpus/" 2>/dev/null || true
  log="$work/$target.log"
  (cd "$work" && "$binary" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
     -artifact_prefix="$work/$target-" "$corpus" >"$log" 2>&1)
  rc=$?
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  if [[ $rc -eq 0 ]]; then
    echo "fuzz $target: ok, ${runs:-0} runs"
  else
    status=1
    crash="$(grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer)|runtime error|round trip mismatch' "$log" || true)"
    artifact="$(grep -o 'Test unit written to .*' "$log" | head -1 || true)"
    echo "fuzz $target: CRASH ${crash:-exit $rc} ${artifact}"
  fi
done
exit $status
