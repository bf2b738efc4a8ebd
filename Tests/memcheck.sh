#!/usr/bin/env bash
# Memory checks for the OpenSSL object lifetimes (CONTRIBUTING.md: "Hardening").
#
#   Tests/memcheck.sh rss [ARGS...]       RSS growth: build stytch-jwt-memcheck (debug, .build-memcheck)
#                                         and run it: 100k RSAPublicKeys built and dropped, 10k JWKS
#                                         key sets, 1M verifications, twice; fails when RSS grows
#                                         more than 16 MiB after the warm-up. ARGS override the counts.
#   Tests/memcheck.sh lsan                LeakSanitizer: build it with --sanitize=address into
#                                         .build-asan (shared with the ASan test run) and run small
#                                         counts; any leak at exit fails.
#   Tests/memcheck.sh valgrind            valgrind --leak-check=full on small counts (slow); any
#                                         definite or indirect leak fails.
#
# MEMCHECK_SCRATCH overrides the scratch path of `rss` and `valgrind` (CI passes its normal .build).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-rss}
shift || true
small=(--keys 2000 --key-sets 500 --verifications 20000 --rounds 1 --allowed-growth-mib 1000000)

case "$mode" in
    rss)
        scratch=${MEMCHECK_SCRATCH:-.build-memcheck}
        swift build --scratch-path "$scratch" --product stytch-jwt-memcheck
        "$scratch/debug/stytch-jwt-memcheck" "$@" ;;
    lsan)
        swift build --scratch-path .build-asan --sanitize=address --product stytch-jwt-memcheck
        # detect_leaks is on by default on Linux x86_64; say so anyway, and fail on any report.
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
            .build-asan/debug/stytch-jwt-memcheck "${small[@]}"
        echo "lsan: no leak reported" ;;
    valgrind)
        command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
        scratch=${MEMCHECK_SCRATCH:-.build-memcheck}
        swift build --scratch-path "$scratch" --product stytch-jwt-memcheck
        valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=1 "$scratch/debug/stytch-jwt-memcheck" --keys 200 --key-sets 50 --verifications 2000 --rounds 1 \
            --allowed-growth-mib 1000000 ;;
    *)
        sed -n '2,15p' "$0" >&2
        exit 2 ;;
esac
