#!/usr/bin/env bash
# CI's hardening pass (CONTRIBUTING.md: "Hardening"), run by .ci/run after its smoke test.
#
#   Tests/ci-hardening.sh
#
# Runs, in this order, the existing scripts with bounded settings:
#   memcheck-rss  Tests/memcheck.sh rss with modest counts, in CI's own .build (MEMCHECK_SCRATCH=.build:
#                 .ci/run has built it in debug; only stytch-jwt-memcheck is linked anew)
#   fuzz          Tests/fuzz.sh run CI_FUZZ_SECONDS (25) for each of the four targets, over the
#                 committed corpora: a crash prints its reproducer's path and bytes (base64)
#   asan          Tests/sanitizers.sh asan: every test under AddressSanitizer (.build-asan)
#   lsan          Tests/memcheck.sh lsan: the memory driver under LeakSanitizer (shares .build-asan)
#   tsan          Tests/sanitizers.sh tsan: the concurrency tests under ThreadSanitizer (.build-tsan)
#
# A failing step does not stop the later ones (one CI run shows every finding); the script prints
# how long each step took, a summary, and exits 1 when any step failed.
#
# Environment: CI_FUZZ_SECONDS (seconds per fuzz target, default 25), CI_MEMCHECK_ARGS (counts for
# the RSS check, default below), CI_HARDENING_STEPS (a subset, e.g. "fuzz tsan"; default all).
set -uo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${CI_FUZZ_SECONDS:-25}
# 100k keys, 10k key sets and 200k verifications in all (a tenth of the local default for the
# verifications, which dominate a debug run): a leak of one EVP_PKEY per key or one EVP_MD_CTX per
# verification still grows the RSS far past the 16 MiB allowance.
read -r -a memcheck_args <<<"${CI_MEMCHECK_ARGS:---keys 50000 --key-sets 5000 --verifications 100000 --rounds 2}"
read -r -a steps <<<"${CI_HARDENING_STEPS:-memcheck-rss fuzz asan lsan tsan}"

run_step() {
    case "$1" in
        memcheck-rss) MEMCHECK_SCRATCH=.build Tests/memcheck.sh rss "${memcheck_args[@]}" ;;
        fuzz) Tests/fuzz.sh run "$fuzz_seconds" token jwks response claims ;;
        asan) Tests/sanitizers.sh asan ;;
        lsan) Tests/memcheck.sh lsan ;;
        tsan) Tests/sanitizers.sh tsan ;;
        *) echo "ci-hardening: unknown step $1" >&2; return 2 ;;
    esac
}

began=$SECONDS
summary=()
failed=0
for step in "${steps[@]}"; do
    echo "== hardening: $step"
    step_began=$SECONDS
    status=0
    run_step "$step" || status=$?
    took=$((SECONDS - step_began))
    if [ "$status" -eq 0 ]; then result=passed; else result="FAILED (exit $status)"; failed=1; fi
    echo "== hardening: $step $result in ${took} s"
    summary+=("$(printf '%-13s %5d s  %s' "$step" "$took" "$result")")
done

echo "== hardening summary"
printf '%s\n' "${summary[@]}"
echo "hardening: $(printf '%5d' $((SECONDS - began))) s in all"
if [ "$failed" -ne 0 ]; then
    echo "hardening: a step failed (see its output above)" >&2
    exit 1
fi
