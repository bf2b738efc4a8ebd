#!/usr/bin/env bash
# Fuzzing with libFuzzer and AddressSanitizer (CONTRIBUTING.md: "Hardening").
#
#   Tests/fuzz.sh build                       build the four fuzz targets into .build-fuzz
#   Tests/fuzz.sh run [SECONDS] [TARGET...]   build, then fuzz each target SECONDS (default 60)
#   Tests/fuzz.sh merge [TARGET...]           add the inputs of earlier runs that reach new
#                                             coverage to Tests/FuzzCorpus/<target>/min-*, smallest
#                                             first, at most MERGE_BUDGET_KB (150) per target
#   Tests/fuzz.sh replay FILE... --target T   replay files (e.g. a crash) through the fuzzing build
#
# Targets: token jwks response claims (all by default). Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2".
# FUZZ_CONFIG=release builds optimised (slower to build, more executions per second).
#
# The fuzzing build has its own scratch path (.build-fuzz) because every Swift module in it is
# compiled with -sanitize=fuzzer,address and -D FUZZING, and every C target (the project's
# vectorised parsing routines among them) with -fsanitize=address, so an out-of-bounds write in C
# is reported where it happens; the ordinary build is untouched and
# replays the committed corpus (swift test, suite "Fuzz corpus replay"). Each run writes new inputs
# to .build-fuzz/corpus/<target> and crash reproducers to .build-fuzz/artifacts/<target>/; any
# crash, leak, timeout or out-of-memory fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(token jwks response claims)
scratch=.build-fuzz
config=${FUZZ_CONFIG:-debug}

build() {
    echo "== fuzz build ($config, -sanitize=fuzzer,address, into $scratch)"
    # One product per invocation (the first builds the shared modules; the others only link).
    for target in "${all_targets[@]}"; do
        # The linker warns once per ASan helper symbol ("Cannot export local symbol"): noise, dropped.
        set +o pipefail
        swift build --scratch-path "$scratch" -c "$config" --product "stytch-jwt-fuzz-$target" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=address 2>&1 \
            | grep -v -e "Cannot export local symbol"
        local status=${PIPESTATUS[0]}
        set -o pipefail
        [ "$status" -eq 0 ] || { echo "fuzz build failed for $target (exit $status)" >&2; exit 1; }
    done
}

max_len() {
    case "$1" in
        token) echo 20000 ;;       # just over the 16 KiB token limit
        claims) echo 13000 ;;      # a payload this size makes a token near the 16 KiB limit
        *) echo 65536 ;;           # JWKS documents and responses (limits 1 MiB; bigger inputs only slow the search)
    esac
}

run_target() {
    local target=$1 seconds=$2
    local binary="$scratch/$config/stytch-jwt-fuzz-$target"
    local work="$scratch/corpus/$target" artifacts="$scratch/artifacts/$target/"
    mkdir -p "$work" "$artifacts"
    echo "== fuzz $target for ${seconds}s"
    local log="$scratch/fuzz-$target.log" marker="$scratch/fuzz-$target.started"
    local status=0
    touch "$marker"
    # SWIFT_BACKTRACE=enable=no: the Swift runtime's crash backtracer reads the crashed stack in a
    # way ASan reports as a stack-buffer-underflow of its own; libFuzzer prints the stack instead.
    # shellcheck disable=SC2086
    SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -dict=Tests/FuzzCorpus/"$target".dict -artifact_prefix="$artifacts" -print_final_stats=1 \
        ${FUZZ_FLAGS:-} "$work" "Tests/FuzzCorpus/$target" >"$log" 2>&1 || status=$?
    grep -E "^(#[0-9]+\s+DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: Loaded|Done [0-9]+ runs)" "$log" || true
    if [ "$status" -ne 0 ] || grep -qE "^(==[0-9]+==ERROR|SUMMARY: )" "$log"; then
        echo "fuzz $target FAILED (exit $status); log: $log" >&2
        grep -E -A40 "==ERROR|Fatal error|fuzz invariant|deadly signal" "$log" | head -80 >&2 || true
        report_reproducers "$target" "$artifacts" "$marker" >&2
        return 1
    fi
}

# Names each reproducer this run wrote and prints its bytes (base64, up to 64 KiB), so one found
# in CI, whose checkout is gone afterwards, can still become a corpus file and so a regression test.
report_reproducers() {
    local target=$1 artifacts=$2 marker=$3 file found=0
    while IFS= read -r file; do
        found=1
        echo "reproducer: $file ($(stat -c %s "$file") bytes)"
        echo "  keep it as a regression test: cp '$file' Tests/FuzzCorpus/$target/regress-$(basename "$file")"
        echo "  or, from this log: base64 -d > Tests/FuzzCorpus/$target/regress-$(basename "$file") <<'EOF'"
        head -c 65536 "$file" | base64 -w 76
        echo "EOF"
    done < <(find "${artifacts%/}" -type f -newer "$marker" | sort)
    [ "$found" -eq 1 ] || echo "no reproducer written in $artifacts (see the log)"
}

merge() {
    local target
    for target in "$@"; do
        local binary="$scratch/$config/stytch-jwt-fuzz-$target" fresh="$scratch/merge/$target"
        rm -rf "$fresh" && mkdir -p "$fresh"
        "$binary" -merge=1 -max_len="$(max_len "$target")" "$fresh" "Tests/FuzzCorpus/$target" "$scratch/corpus/$target" \
            >"$scratch/merge-$target.log" 2>&1
        # Smallest first, within a byte budget per target, so the committed corpus stays small.
        local budget=$(( ${MERGE_BUDGET_KB:-150} * 1024 )) used=0 added=0 skipped=0 size file
        while read -r size file; do
            if [ $((used + size)) -gt "$budget" ]; then skipped=$((skipped + 1)); continue; fi
            cp "$file" "Tests/FuzzCorpus/$target/min-$(basename "$file")"
            used=$((used + size))
            added=$((added + 1))
        done < <(find "$fresh" -type f -printf '%s %p\n' | sort -n)
        echo "merge $target: $added new inputs ($used bytes) into Tests/FuzzCorpus/$target; $skipped over the budget left out"
    done
}

command=${1:-run}
shift || true
case "$command" in
    build)
        build ;;
    run)
        seconds=${1:-60}
        shift || true
        targets=("$@")
        [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
        build
        failed=0
        for target in "${targets[@]}"; do run_target "$target" "$seconds" || failed=1; done
        [ "$failed" -eq 0 ] || { echo "fuzzing found failures" >&2; exit 1; }
        echo "fuzzing: no failures in ${targets[*]}" ;;
    merge)
        targets=("$@")
        [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
        merge "${targets[@]}" ;;
    replay)
        target=""
        files=()
        while [ $# -gt 0 ]; do
            case "$1" in
                --target) target=$2; shift 2 ;;
                *) files+=("$1"); shift ;;
            esac
        done
        [ -n "$target" ] && [ ${#files[@]} -gt 0 ] || { echo "usage: Tests/fuzz.sh replay FILE... --target TARGET" >&2; exit 2; }
        "$scratch/$config/stytch-jwt-fuzz-$target" "${files[@]}" ;;
    *)
        sed -n '2,12p' "$0" >&2
        exit 2 ;;
esac
