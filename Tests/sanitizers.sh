#!/usr/bin/env bash
# The test suite under the sanitizers (CONTRIBUTING.md: "Hardening").
#
#   Tests/sanitizers.sh asan    swift test --sanitize=address, every test, scratch path .build-asan.
#                               Leak detection is off for the test process (STYTCH_ASAN_LEAKS=1 turns
#                               it on): at exit LeakSanitizer reports leaks rooted in the toolchain's
#                               Foundation (Process, Pipe, FileHandle, Data read from files), XCTest,
#                               NIO's never-stopped global thread pool and AsyncHTTPClient, not in this
#                               package. Leaks in our code are checked by Tests/memcheck.sh lsan and by
#                               every fuzz run (libFuzzer's per-input leak check).
#   Tests/sanitizers.sh tsan    swift test --sanitize=thread, the concurrency tests (key sets and
#                               verifiers under many tasks, the JWKS cache, the verified-token cache,
#                               remote keys, API refresh coalescing, the RBAC policy cache, both
#                               middleware), scratch path .build-tsan
#   Tests/sanitizers.sh all     both
#   Tests/sanitizers.sh tsan-mutex
#                               compiles and runs Tests/sanitizers/tsan-mutex-false-positive.swift
#                               under TSan: a correct program whose Mutex-protected state TSan reports
#                               as racy on Linux (see that file). Reports whose two accesses are both
#                               inside one Mutex's withLock are this false positive.
#
# Each prints how long its build and its run took. A sanitizer report fails the run: ASan and TSan
# abort the test process on their first report (halt_on_error), so a report can never pass silently.
# Nothing in our own code is suppressed.
set -euo pipefail
cd "$(dirname "$0")/.."

tsan_filter='RSAPublicKeyTests|JWKSCacheTests|ConcurrencyTests|RemoteVerifierTests|VerifiedTokenCacheTests|SessionRefreshTests|RBACTests|StytchJWTHummingbirdTests|StytchJWTVaporTests'

timed() {
    local label=$1
    shift
    local began=$SECONDS
    "$@"
    echo "sanitizers: $label took $((SECONDS - began)) s"
}

asan() {
    echo "== ASan: build"
    timed "ASan build" swift build --build-tests --sanitize=address --scratch-path .build-asan
    echo "== ASan: swift test"
    ASAN_OPTIONS="detect_leaks=${STYTCH_ASAN_LEAKS:-0}:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        timed "ASan tests" swift test --skip-build --sanitize=address --scratch-path .build-asan
}

tsan() {
    echo "== TSan: build"
    timed "TSan build" swift build --build-tests --sanitize=thread --scratch-path .build-tsan
    echo "== TSan: swift test --filter concurrency tests"
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}" \
        timed "TSan tests" swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter "$tsan_filter"
}

tsan_mutex() {
    local out=.build-tsan/tsan-mutex-false-positive
    mkdir -p .build-tsan
    swiftc -sanitize=thread -g -O Tests/sanitizers/tsan-mutex-false-positive.swift -o "$out"
    local status=0
    TSAN_OPTIONS="halt_on_error=0" "$out" || status=$?
    echo "tsan-mutex: exit $status (66 = TSan reported races in a correct program: the Mutex false positive)"
}

case "${1:-all}" in
    tsan-mutex) tsan_mutex ;;
    asan) asan ;;
    tsan) tsan ;;
    all) asan; tsan ;;
    *) sed -n '2,24p' "$0" >&2; exit 2 ;;
esac
