#!/usr/bin/env python3
"""Prints the table and the ratios of one Benchmarks/run from the JSON agi-load wrote.

Usage: summarize.py RESULTS_DIR
"""
import json
import os
import sys

SERVERS = [('touchbase', 'TouchBase (bench)'), ('panoramisk', 'panoramisk'),
           ('asyncio', 'plain asyncio'), ('nio-reference', 'minimal SwiftNIO handler'),
           ('touchbase-answered', 'TouchBase (answered)')]
SCENARIOS = [('throughput', 'throughput: 100 at once, back to back'),
             ('busy-pbx', 'busy PBX: 1,000 at once, 1 s playback')]


def load(directory, name):
    path = os.path.join(directory, name + '.json')
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def main(directory):
    figures = {}
    print('| scenario | server | sessions/s | p50 ms | p99 ms | p99.9 ms | max ms | first command p99 ms | '
          'errors | peak RSS MiB | server CPU s | generator CPU s | generator lag p99 ms |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for scenario, scenario_title in SCENARIOS:
        for server, server_title in SERVERS:
            f = load(directory, f'{server}-{scenario}')
            if f is None:
                continue
            figures[(server, scenario)] = f
            rss = (f.get('server_peak_rss_kib') or 0) / 1024

            def ms(key):
                # No turnaround at all (a dialog of one command) is not a turnaround of 0 ms.
                return f"{f[key]:.3f}" if f['turnaround_samples'] else '–'
            print(f"| {scenario_title} | {server_title} | {f['sessions_per_s']:.0f} | "
                  f"{ms('turnaround_p50_ms')} | {ms('turnaround_p99_ms')} | "
                  f"{ms('turnaround_p999_ms')} | {ms('turnaround_max_ms')} | {f['first_command_p99_ms']:.3f} | {f['errors']} | "
                  f"{rss:.1f} | {f.get('server_cpu_s') or 0:.2f} | {f['generator_cpu_s']:.2f} | "
                  f"{f.get('generator_loop_lag_p99_ms', 0):.3f} |")

    print()
    verdicts = []

    def check(label, ok, text):
        verdicts.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {text}")

    tb, pk = figures.get(('touchbase', 'throughput')), figures.get(('panoramisk', 'throughput'))
    if tb and pk and pk['sessions_per_s'] > 0:
        ratio = tb['sessions_per_s'] / pk['sessions_per_s']
        check('throughput', ratio >= 3,
              f"TouchBase {tb['sessions_per_s']:.0f}/s vs panoramisk {pk['sessions_per_s']:.0f}/s "
              f"= {ratio:.2f}x (target at least 3x)")
    tb, pk = figures.get(('touchbase', 'busy-pbx')), figures.get(('panoramisk', 'busy-pbx'))
    if tb:
        check('busy PBX turnaround', tb['turnaround_p99_ms'] < 2,
              f"TouchBase p99 {tb['turnaround_p99_ms']:.3f} ms (target under 2 ms)"
              + (f"; panoramisk p99 {pk['turnaround_p99_ms']:.3f} ms = "
                 f"{pk['turnaround_p99_ms'] / max(tb['turnaround_p99_ms'], 1e-9):.1f}x TouchBase's" if pk else ''))
        rss = (tb.get('server_peak_rss_kib') or 0) / 1024
        check('busy PBX memory', 0 < rss < 150,
              f"TouchBase peak RSS {rss:.1f} MiB (target under 150 MB)"
              + (f"; panoramisk {(pk.get('server_peak_rss_kib') or 0) / 1024:.1f} MiB" if pk else ''))
    for key, f in sorted(figures.items()):
        if f['errors']:
            print(f"note  {key[0]} {key[1]}: {f['errors']} errors (connect {f['connect_failures']}, "
                  f"closed before a command {f['closed_before_command']}, reset {f['resets']}, "
                  f"timed out {f['timeouts']})")
        if key[0] == 'touchbase-answered' and f['sessions'] and f['commands'] <= f['sessions']:
            print(f"note  touchbase-answered {key[1]}: {f['commands']} commands for {f['sessions']} sessions, "
                  f"none past the first: the server has no `answered` route yet (it answers a VERBOSE and closes)")
        if key[0] != 'touchbase-answered' and f['sessions'] and f['sessions_reached_hangup'] != f['sessions']:
            print(f"note  {key[0]} {key[1]}: only {f['sessions_reached_hangup']} of {f['sessions']} "
                  f"sessions reached HANGUP")
    return 0 if verdicts and all(verdicts) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
