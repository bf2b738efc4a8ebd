#!/usr/bin/env python3
"""Print the Verification benchmark rows side by side, and the ratios the README quotes.

Input: the JMH JSON that `swift package benchmark --format jmh` writes (one run of every row).
Every row runs 1,000 verifications per measured iteration (scalingFactor .kilo), so:
  verifications/s = 1e3 / p50 wall clock (ms per iteration)
  allocations per verification = p50 mallocCountTotal / 1,000
Ratios use the p50 wall clock. Standard library only.
"""
import json
import sys

SCALE = 1000  # scalingFactor .kilo in Verification.swift

LABELS = {
    "1": "raw OpenSSL 3 EVP_DigestVerify (prepared context copied per call)",
    "2": "StytchJWT warm, token cache off",
    "3": "StytchJWT cold key set (JWKSet(jwks:) + verifier + verify)",
    "4": "StytchJWT verified-token cache hit",
    "5": "jwt-kit 5.8 RS256 + claims",
    "6": "StytchJWT authenticate response, token cache off",
    "7": "StytchJWT warm, 2 concurrent threads (both together)",
    "8": "raw OpenSSL, 2 concurrent threads (control: the machine's parallelism)",
    "9": "StytchJWT M2M access token, one required scope",
}

TARGETS = [
    # (label, numerator row, denominator row, target)
    ("warm / raw OpenSSL", "2", "1", 0.90),
    ("2 threads / 1 thread", "7", "2", 1.8),
    ("ours (warm) / jwt-kit", "2", "5", 2.0),
    ("cache hit / raw OpenSSL", "4", "1", 20.0),
    ("M2M / session (warm)", "9", "2", 0.95),
]

CONTROLS = [
    # Not targets: context for reading the ratios above.
    ("raw 2 threads / raw 1 thread (what the machine allowed)", "8", "1"),
    ("response / warm", "6", "2"),
    ("cold key set / warm", "3", "2"),
]


def load(path):
    with open(path) as f:
        elements = json.load(f)
    rows = {}
    for element in elements:
        name = element["benchmark"].split(".", 3)[-1]  # package.benchmark.<target>.<name>
        metrics = element["secondaryMetrics"]
        wall_us = metrics["Time (wall clock)"]["scorePercentiles"]["50.0"]
        mallocs = metrics["Malloc (total)"]["scorePercentiles"]["50.0"]
        peak = metrics["Memory (resident peak)"]["scorePercentiles"]["100.0"]
        cpu_us = metrics["Time (total CPU)"]["scorePercentiles"]["50.0"]
        key = name.split("_", 1)[0]
        rows[key] = {
            "name": LABELS.get(key, name),
            "per_second": SCALE / (wall_us / 1e6),
            "wall_us": wall_us / SCALE,
            "cpu_us": cpu_us / SCALE,
            "mallocs": mallocs / SCALE,
            "peak_mb": peak / 1e6,
            "samples": element["measurementIterations"],
        }
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py RESULTS.jmh.json")
    rows = load(sys.argv[1])
    print("| # | benchmark | verifications/s (p50) | µs each (p50) | CPU µs each (p50) | allocations each (p50) | peak RSS (MB) | samples |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key in sorted(rows):
        r = rows[key]
        print(f"| {key} | {r['name']} | {r['per_second']:,.0f} | {r['wall_us']:.2f} | "
              f"{r['cpu_us']:.2f} | {r['mallocs']:.1f} | {r['peak_mb']:.0f} | {r['samples']} |")
    print()
    print("CPU µs: process CPU time (all threads), 10 ms resolution per iteration of 1,000 verifications.")
    print()
    print("| ratio (p50 throughput) | measured | target | met |")
    print("|---|---:|---:|---|")
    for label, numerator, denominator, target in TARGETS:
        if numerator not in rows or denominator not in rows:
            print(f"| {label} | n/a | ≥ {target:g} | not run |")
            continue
        ratio = rows[numerator]["per_second"] / rows[denominator]["per_second"]
        print(f"| {label} | {ratio:.2f} | ≥ {target:g} | {'yes' if ratio >= target else 'NO'} |")
    for label, numerator, denominator in CONTROLS:
        if numerator in rows and denominator in rows:
            ratio = rows[numerator]["per_second"] / rows[denominator]["per_second"]
            print(f"| {label} | {ratio:.2f} | (control) | |")


if __name__ == "__main__":
    main()
