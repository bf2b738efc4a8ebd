#!/usr/bin/env bash
# `stytch-jwt verify --batch --jobs 1` against `openssl speed rsa2048` verify, in the same run: the
# CLI reads a token per line, verifies it (pinned JWKS, fixed clock, no token cache) and writes a
# JSON line, so its rate over OpenSSL's bare RSA-2048 verify rate is what reading, parsing, claims
# and writing leave. Target (issue #19): ≥ 0.70.
#
#   Benchmarks/run-batch-benchmark.sh              # 20,000 distinct tokens, read 5 times, 5 pairs
#   TOKENS=50000 ROUNDS=1 PAIRS=7 SCRATCH=.build-release BUILD=0 Benchmarks/run-batch-benchmark.sh
#
# Both rates are per CPU second (`openssl speed` divides by user time; the CLI's is user +
# system), which a shared machine perturbs less than the wall clock.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
TOKENS="${TOKENS:-20000}"
ROUNDS="${ROUNDS:-5}"
PAIRS="${PAIRS:-5}"
SCRATCH="${SCRATCH:-$root/.build}"
BUILD="${BUILD:-1}"

python3 -c "import cryptography" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-cryptography; }
work="$(mktemp -d /tmp/stytch-batch-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ "$BUILD" = 1 ]; then
    (cd "$root" && swift build -c release --scratch-path "$SCRATCH" --product stytch-jwt)
fi
cli="$(cd "$root" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/stytch-jwt"

echo "== making $TOKENS distinct session JWTs (make-batch-tokens.py), read $ROUNDS times"
python3 "$here/make-batch-tokens.py" "$TOKENS" "$work/distinct.txt"
for _ in $(seq "$ROUNDS"); do cat "$work/distinct.txt"; done >"$work/tokens.txt"
lines="$(wc -l <"$work/tokens.txt")"

# Verifications per second of `openssl speed -seconds 3 rsa2048`: the last column of its
# `rsa 2048 bits` row (per CPU second: openssl speed divides by user time).
openssl_verify_rate() {
    openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF)}'
}
# The CLI's CPU seconds (user + system): the shell's children's times (`times`, second line)
# after it ran less before.
children_cpu() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }

# OpenSSL and the CLI take turns, PAIRS times: on a shared machine either rate moves by a fifth
# within a minute, so each pair's ratio comes from runs seconds apart, and the median is reported.
: >"$work/pairs.txt"
for pair in $(seq "$PAIRS"); do
    echo "== pair $pair of $PAIRS: openssl speed -seconds 3 rsa2048, then stytch-jwt verify --batch --jobs 1 ($lines lines)"
    openssl_rate="$(openssl_verify_rate)"
    times >"$work/times-before"
    "$cli" verify --batch --jobs 1 --jwks "$root/Keys/demo-jwks.json" \
        --project-id project-test-00000000-0000-4000-8000-000000000000 --now 1767225660 \
        --token-file "$work/tokens.txt" >"$work/out.jsonl"
    times >"$work/times-after"
    verified="$(grep -c '"valid":true' "$work/out.jsonl" || true)"
    [ "$verified" = "$lines" ] || { echo "only $verified of $lines lines verified"; exit 1; }
    echo "$openssl_rate $(python3 -c "print($(children_cpu "$work/times-after") - $(children_cpu "$work/times-before"))")" >>"$work/pairs.txt"
done

python3 - "$lines" "$work/pairs.txt" <<'EOF'
import statistics
import sys
lines = int(sys.argv[1])
pairs = [tuple(map(float, line.split())) for line in open(sys.argv[2]) if line.strip()]
rows = [(ossl, lines / cpu, lines / cpu / ossl) for ossl, cpu in pairs]
ratios = sorted(r for _, _, r in rows)
print()
print("| pair | openssl speed rsa2048 verify/s (CPU) | verify --batch --jobs 1 tokens/s (CPU) | ratio |")
print("|---:|---:|---:|---:|")
for index, (ossl, ours, ratio) in enumerate(rows, 1):
    print(f"| {index} | {ossl:,.0f} | {ours:,.0f} | {ratio:.2f} |")
print()
print(f"median ratio **{statistics.median(ratios):.2f}** (range {ratios[0]:.2f} to {ratios[-1]:.2f}); target >= 0.70")
EOF
