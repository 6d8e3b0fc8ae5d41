#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the libFuzzer targets and run each for RUNS executions.
#
#   tests/fuzz/run-fuzzers.sh [RUNS] [TARGET...]
#
# RUNS defaults to 1000000; TARGET defaults to every target listed in
# tests/fuzz/meson.build.  Each target runs over a scratch copy of its
# seed corpus (tests/fuzz/corpus/TARGET), so what the fuzzer finds never
# lands in the repository.  Extra seeds, e.g. samples you may not
# commit, are read from BOOTFIX_FUZZ_EXTRA_CORPUS_<NAME> (NAME: the
# target without "fuzz-", upper case, '-' as '_', so
# BOOTFIX_FUZZ_EXTRA_CORPUS_BCD_STORE); several folders separated by ':'.
#
# Environment: BUILD_DIR (default: build-fuzz at the top of the source
# tree), BOOTFIX_FUZZ_ARGS (more libFuzzer flags, e.g. -max_total_time=60).
#
# Exit status: 0 all clean, 1 a crash, leak, timeout or build failure,
# 77 when clang or libFuzzer is missing (a skip, as in meson tests).
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir=$srcdir/tests/fuzz
builddir=${BUILD_DIR:-$srcdir/build-fuzz}
runs=1000000

if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    runs=$1
    shift
fi

# Longest input per target.  Text formats get room for a realistic
# file; binary ones the size of the structure they decode, so the
# fuzzer spends its time on the fields, not on trailing bytes.
max_len_for () {
    case $1 in
        fuzz-domain|fuzz-rules) echo 65536 ;;  # XML: room for many elements
        fuzz-bcd-device)        echo 1024 ;;   # one BCD device element
        fuzz-bcd-store)         echo 65536 ;;  # a small hive
        fuzz-disk-layout)       echo 65536 ;;  # MBR, GPT header + entries
        fuzz-mounted-devices)   echo 4200 ;;   # one registry value, past the 4096-byte cap
        fuzz-ntfs-boot)         echo 8192 ;;   # boot sector + a little
        fuzz-bootini)           echo 16384 ;;  # a text file
        fuzz-hive)              echo 65536 ;;  # a small hive
        fuzz-hive-log)          echo 32768 ;;  # base block + two logs of a few 4 KiB pages
        fuzz-cabinet)           echo 16384 ;;  # entries and a few data blocks
        fuzz-batch-list)        echo 16384 ;;  # several lines, one past the 4096-byte cap
        fuzz-resume)            echo 32768 ;;  # a few records of a few KiB
        fuzz-guest-report)      echo 16384 ;;  # one guest's report object
        *)                      echo 4096 ;;
    esac
}

# The target list lives in one place: tests/fuzz/meson.build.
all_targets () {
    sed -n '/^fuzz_targets = \[/,/\]/p' "$fuzzdir/meson.build" |
        grep -o "'fuzz-[a-z0-9-]*'" | tr -d "'"
}

skip () {
    echo "run-fuzzers: $*; skipping" >&2
    exit 77
}

# ---- Can we fuzz at all? ----
command -v clang >/dev/null || skip "clang is not installed"
command -v meson >/dev/null || skip "meson is not installed"
command -v ninja >/dev/null || skip "ninja is not installed"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput (const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { return 0; }' \
    > "$probe/t.c"
clang -fsanitize=fuzzer,address,undefined "$probe/t.c" -o "$probe/t" \
    2>/dev/null ||
    skip "clang cannot link libFuzzer with ASan/UBSan (Debian: install libclang-rt-14-dev)"

# ---- Targets ----
mapfile -t known < <(all_targets)
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=("${known[@]}")
fi
for t in "${targets[@]}"; do
    if ! printf '%s\n' "${known[@]}" | grep -qx -- "$t"; then
        echo "run-fuzzers: unknown target '$t' (known: ${known[*]})" >&2
        exit 1
    fi
done

# ---- Build ----
if [ ! -f "$builddir/build.ninja" ]; then
    CC=clang meson setup "$builddir" "$srcdir" -Dfuzzing=true || exit 1
else
    # An existing dir: make sure it fuzzes (errors out if it is not clang).
    meson configure "$builddir" -Dfuzzing=true >/dev/null || exit 1
fi
ninja -C "$builddir" "${targets[@]/#/tests/fuzz/}" || exit 1

# ---- Run ----
export BOOTFIX_DATADIR=$srcdir/data
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
workroot=$builddir/fuzz-work
failed=0
summary=()

for t in "${targets[@]}"; do
    name=${t#fuzz-}
    work=$workroot/$t
    rm -rf "$work"
    mkdir -p "$work/corpus"
    # The scratch copy is the first corpus folder, the only one
    # libFuzzer writes to; the extra folders are only read.
    if [ -d "$fuzzdir/corpus/$t" ]; then
        cp -r "$fuzzdir/corpus/$t/." "$work/corpus/"
    else
        echo "run-fuzzers: $t has no seed corpus (tests/fuzz/corpus/$t)" >&2
    fi
    corpora=("$work/corpus")
    extra_var=BOOTFIX_FUZZ_EXTRA_CORPUS_$(echo "$name" | tr 'a-z-' 'A-Z_')
    IFS=: read -r -a extra <<< "${!extra_var:-}"
    for d in "${extra[@]}"; do
        [ -n "$d" ] || continue
        if [ -d "$d" ]; then
            corpora+=("$d")
        else
            echo "run-fuzzers: $extra_var: no folder $d" >&2
            failed=1
        fi
    done
    args=(-runs="$runs" -max_len="$(max_len_for "$t")" -timeout=5
          -artifact_prefix="$work/" -print_final_stats=1)
    [ -f "$fuzzdir/$name.dict" ] && args+=(-dict="$fuzzdir/$name.dict")
    # shellcheck disable=SC2206  # word splitting wanted
    args+=(${BOOTFIX_FUZZ_ARGS:-})

    echo "=== $t: ${args[*]} ${corpora[*]}"
    start=$(date +%s.%N)
    (cd "$work" && "$builddir/tests/fuzz/$t" "${args[@]}" "${corpora[@]}") \
        > "$work/fuzz.log" 2>&1
    rc=$?
    end=$(date +%s.%N)

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    # libFuzzer's own exec/s divides by whole seconds: compute it here.
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    speed=$(awk -v n="${execs:-0}" -v s="$secs" \
            'BEGIN { if (s > 0) printf "%d", n / s; else print "?" }')
    cov=$(grep -E '^#[0-9]+.*(DONE|INITED|NEW|REDUCE|pulse)' "$work/fuzz.log" |
          tail -1 | grep -o 'cov: [0-9]* ft: [0-9]*')
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        failed=1
        kind=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): [a-zA-Z-]+( [a-zA-Z-]+)*|runtime error: .*|check failed: .*' \
               "$work/fuzz.log")
        artifact=$(sed -n 's/.*Test unit written to //p' "$work/fuzz.log" | tail -1)
        result="FAILED (exit $rc): ${kind:-see log}; input: ${artifact:-none}; log: $work/fuzz.log"
    fi
    line="$t: ${execs:-?} execs in ${secs}s (${speed:-?} exec/s), ${cov:-cov ?}, $result"
    echo "$line"
    summary+=("$line")
done

echo
echo "=== summary (runs=$runs)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "run-fuzzers: FAILED; reproduce with: $builddir/tests/fuzz/TARGET INPUT" >&2
fi
exit "$failed"
