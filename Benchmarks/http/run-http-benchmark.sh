#!/usr/bin/env bash
# The HTTP load benchmark: what a service's users see. Builds the two example apps and the vapor/jwt
# peer (vapor-jwt-peer/) in release mode, serves the demo JWKS on loopback, makes Stytch-shaped
# session JWTs issued now (make-http-tokens.py), and drives each app with wrk (tokens.lua sends the
# next token of a file with each request) on:
#
#   no-auth      GET /health with the same 1.4 KB Authorization header (the client does the same work)
#   repeated     GET $ROUTE, one token over and over (verified-token cache hits)
#   10k          GET $ROUTE, 10,000 distinct tokens in rotation (each verified once, then cache hits)
#   40k          GET $ROUTE, 40,000 distinct tokens in rotation
#   me-repeated  GET /me, one token: the same plus the handler's JSON response (Foundation's JSONEncoder)
#
# ROUTE is /maybe by default: the examples' route whose handler answers the member ID as plain text,
# as /health answers "ok", so the ratio to no-auth is what authentication costs; /me adds encoding
# a JSON body, which is the application's work (me-repeated shows it).
#
# Each run gets a freshly started server (an empty token cache). Prints requests/s, p50 and p99 per
# run, then the ratios of issue #19's targets. Everything runs on this machine's loopback; wrk and
# the server share its cores.
#
#   Benchmarks/http/run-http-benchmark.sh                      # defaults below
#   DURATION=10 CONNECTIONS=64 THREADS=2 APPS="hummingbird vapor" Benchmarks/http/run-http-benchmark.sh
#
# Settings (environment): DURATION seconds per run (15), CONNECTIONS (32), THREADS wrk threads (1),
# WARMUP seconds of /health before each run (2), APPS (hummingbird vapor peer), SCENARIOS
# (no-auth repeated 10k 40k me-repeated), ROUTE (/maybe), TOKEN_BYTES (1434), SCRATCH the main package's build path (.build),
# REPEATS rounds of all the runs (1; with more, each cell shows its median run: on a shared machine
# a rate moves by a fifth between runs a minute apart), BUILD=0 to use binaries already built, TOKENS_FILE to reuse tokens from make-http-tokens.py (40,000
# or more, still valid), LOG_LEVEL for the apps (default: theirs, no line per request).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-15}"
REPEATS="${REPEATS:-1}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
WARMUP="${WARMUP:-2}"
APPS="${APPS:-hummingbird vapor peer}"
SCENARIOS="${SCENARIOS:-no-auth repeated 10k 40k me-repeated}"
ROUTE="${ROUTE:-/maybe}"
TOKEN_BYTES="${TOKEN_BYTES:-1434}"
SCRATCH="${SCRATCH:-$root/.build}"
BUILD="${BUILD:-1}"
PROJECT_ID="project-test-00000000-0000-4000-8000-000000000000"

command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get update -qq && apt-get install -y -qq wrk; }
python3 -c "import cryptography" 2>/dev/null || { echo "installing python3-cryptography (Debian package)"; apt-get update -qq && apt-get install -y -qq python3-cryptography; }

work="$(mktemp -d /tmp/stytch-http-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
    echo "== building the example apps and the peer (release)"
    (cd "$root" && swift build -c release --scratch-path "$SCRATCH" --product stytch-jwt-hummingbird-example)
    (cd "$root" && swift build -c release --scratch-path "$SCRATCH" --product stytch-jwt-vapor-example)
    swift build -c release --package-path "$here/vapor-jwt-peer"
fi
bin_main="$SCRATCH/release"
bin_peer="$here/vapor-jwt-peer/.build/release"
binary() {
    case "$1" in
        hummingbird) echo "$bin_main/stytch-jwt-hummingbird-example" ;;
        vapor) echo "$bin_main/stytch-jwt-vapor-example" ;;
        peer) echo "$bin_peer/vapor-jwt-peer" ;;
    esac
}

# A free loopback port (the kernel's choice).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "== serving the demo JWKS on loopback"
mkdir -p "$work/jwks"
cp "$root/Keys/demo-jwks.json" "$work/jwks/jwks.json"
jwks_port="$(free_port)"
python3 -m http.server "$jwks_port" --bind 127.0.0.1 --directory "$work/jwks" >"$work/jwks.log" 2>&1 &
pids+=($!)
jwks_url="http://127.0.0.1:$jwks_port/jwks.json"
for _ in $(seq 50); do curl -fsS "$jwks_url" >/dev/null 2>&1 && break; sleep 0.1; done

if [ -n "${TOKENS_FILE:-}" ]; then
    echo "== 40,000 session JWTs from $TOKENS_FILE"
    head -n 40000 "$TOKENS_FILE" >"$work/tokens-40k.txt"
    [ "$(wc -l <"$work/tokens-40k.txt")" = 40000 ] || { echo "TOKENS_FILE holds fewer than 40,000 tokens"; exit 2; }
else
    echo "== making 40,000 session JWTs of $TOKEN_BYTES bytes, issued now"
    python3 "$here/make-http-tokens.py" 40000 "$work/tokens-40k.txt" "$TOKEN_BYTES"
fi
head -n 10000 "$work/tokens-40k.txt" >"$work/tokens-10k.txt"
head -n 1 "$work/tokens-40k.txt" >"$work/tokens-1.txt"

run_number=0
# Starts app $1 on a fresh port, logging to a file of its own; sets $server_pid and $server_port.
start_app() {
    server_port="$(free_port)"
    run_number=$((run_number + 1))
    local log="$work/$1-$run_number.log"
    env STYTCH_PROJECT_ID="$PROJECT_ID" STYTCH_JWKS_URL="$jwks_url" PORT="$server_port" \
        ${LOG_LEVEL:+LOG_LEVEL="$LOG_LEVEL"} "$(binary "$1")" >"$log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 100); do
        grep -q "listening on" "$log" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || { echo "$1 exited:"; cat "$log"; exit 1; }
        sleep 0.1
    done
    grep -q "listening on" "$log" || { echo "$1 did not start:"; cat "$log"; exit 1; }
    # One verified request proves the JWKS and a token work before anything is timed.
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/tokens-1.txt")" "http://127.0.0.1:$server_port/me" || true)"
    [ "$status" = 200 ] || { echo "$1 answered $status to a valid token:"; cat "$log"; exit 1; }
}

stop_app() {
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

results="$work/results.txt"
: >"$results"
for round in $(seq "$REPEATS"); do
for app in $APPS; do
    for scenario in $SCENARIOS; do
        case "$scenario" in
            no-auth) path=/health; file="$work/tokens-1.txt" ;;
            repeated) path="$ROUTE"; file="$work/tokens-1.txt" ;;
            10k) path="$ROUTE"; file="$work/tokens-10k.txt" ;;
            40k) path="$ROUTE"; file="$work/tokens-40k.txt" ;;
            me-repeated) path=/me; file="$work/tokens-1.txt" ;;
            *) echo "unknown scenario $scenario"; exit 2 ;;
        esac
        start_app "$app"
        if [ "$WARMUP" -gt 0 ]; then
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$here/tokens.lua" "http://127.0.0.1:$server_port/health" -- "$work/tokens-1.txt" >/dev/null
        fi
        line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$here/tokens.lua" "http://127.0.0.1:$server_port$path" -- "$file" | grep '^RESULT')"
        stop_app
        echo "$app $scenario $line" | tee -a "$results"
    done
done
done

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average before the last run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $TOKEN_BYTES-byte tokens, token runs on $ROUTE, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
python3 - "$results" <<'EOF'
import re
import sys

# With REPEATS > 1, each cell is the run with the median requests/s of its repeats.
runs = {}
for line in open(sys.argv[1]):
    app, scenario, rest = line.split(" ", 2)
    runs.setdefault((app, scenario), []).append({k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)})
rows = {key: sorted(values, key=lambda run: run["rps"])[(len(values) - 1) // 2] for key, values in runs.items()}

names = {"hummingbird": "Hummingbird example", "vapor": "Vapor example", "peer": "vapor/jwt 5 peer"}
scenarios = ["no-auth", "repeated", "10k", "40k", "me-repeated"]
apps = [a for a in ["hummingbird", "vapor", "peer"] if any((a, s) in rows for s in scenarios)]

def cell(app, scenario):
    row = rows.get((app, scenario))
    if row is None:
        return "–"
    text = f"{row['rps']:,.0f}/s, p99 {row['p99_us'] / 1000:.2f} ms"
    base = rows.get((app, "no-auth"))
    if scenario != "no-auth" and base:
        text += f" (**{row['rps'] / base['rps']:.2f}**)"
    if row["non2xx"] or row["socket_errors"]:
        text += f" [{row['non2xx']:.0f} non-2xx, {row['socket_errors']:.0f} socket errors]"
    return text

print("| app | no auth (/health) | 1 token repeated | 10,000 distinct | 40,000 distinct | 1 token repeated, /me (JSON body) |")
print("|---|---|---|---|---|---|")
for app in apps:
    print(f"| {names[app]} | " + " | ".join(cell(app, s) for s in scenarios) + " |")
print()
print("(ratio) = requests/s over the same app's no-auth requests/s.")
print()

def ratio(a, b):
    if a is None or b is None:
        return None
    return a["rps"] / b["rps"]

checks = [
    ("Hummingbird: repeated / no-auth", ratio(rows.get(("hummingbird", "repeated")), rows.get(("hummingbird", "no-auth"))), 0.80),
    ("Hummingbird: 10k distinct / no-auth", ratio(rows.get(("hummingbird", "10k")), rows.get(("hummingbird", "no-auth"))), 0.60),
    ("Vapor: ours / vapor/jwt, 10k distinct", ratio(rows.get(("vapor", "10k")), rows.get(("peer", "10k"))), 1.5),
    ("Vapor: ours / vapor/jwt, repeated", ratio(rows.get(("vapor", "repeated")), rows.get(("peer", "repeated"))), 2.0),
    ("Vapor: ours / vapor/jwt, 40k distinct", ratio(rows.get(("vapor", "40k")), rows.get(("peer", "40k"))), None),
    ("Vapor: repeated / no-auth", ratio(rows.get(("vapor", "repeated")), rows.get(("vapor", "no-auth"))), None),
    ("Vapor: 10k distinct / no-auth", ratio(rows.get(("vapor", "10k")), rows.get(("vapor", "no-auth"))), None),
]
print("| ratio | measured | target | met |")
print("|---|---:|---:|---|")
for name, value, target in checks:
    if value is None:
        continue
    met = "" if target is None else ("yes" if value >= target else "no")
    print(f"| {name} | {value:.2f} | {'' if target is None else '≥ ' + format(target, 'g')} | {met} |")
bad = [k for k, r in rows.items() if r["non2xx"] or r["socket_errors"]]
if bad:
    print()
    print("runs with errors: " + ", ".join(f"{a} {s}" for a, s in bad))
EOF
