#!/usr/bin/env bash
# One run of every Verification row (release build, one process), then the rows side by side and
# the ratios quoted in Benchmarks/README.md. Extra arguments go to the benchmark
# plugin (e.g. --filter "2|4").
set -euo pipefail
cd "$(dirname "$0")"
out=.build/benchmark-results
rm -rf "$out" && mkdir -p "$out"
swift package --allow-writing-to-package-directory benchmark run --target Verification \
    --format jmh --path "$out" --no-progress "$@"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(openssl version), $(swift --version 2>/dev/null | head -1)"
echo
python3 summarize.py "$(ls -t "$out"/*.jmh.json | head -1)"
