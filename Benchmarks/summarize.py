#!/usr/bin/env python3
"""Prints the table and the ratios of one Benchmarks/run from the JSON agi-load wrote.

Usage: summarize.py RESULTS_DIR

The `bench` scenarios run in rounds (NAME-SCENARIO-r1.json, -r2, ...), the servers taking
turns; a server's row gives the median of its rounds (peak RSS: the largest; CPU and counts:
the sums), the throughput verdict is the median of the rounds' TouchBase / panoramisk ratios,
and the busy-PBX verdicts read the medians and the largest RSS.
"""
import json
import os
import statistics
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


def load_rounds(directory, name):
    """A scenario's runs: its rounds in order, or the single run of an older layout."""
    rounds = []
    while (f := load(directory, f'{name}-r{len(rounds) + 1}')) is not None:
        rounds.append(f)
    if not rounds and (f := load(directory, name)) is not None:
        rounds.append(f)
    return rounds


MEDIAN_KEYS = ['sessions_per_s', 'turnaround_p50_ms', 'turnaround_p99_ms', 'turnaround_p999_ms',
               'turnaround_max_ms', 'first_command_p99_ms', 'generator_loop_lag_p99_ms']
SUM_KEYS = ['errors', 'connect_failures', 'closed_before_command', 'resets', 'timeouts', 'sessions',
            'sessions_reached_hangup', 'commands', 'server_cpu_s', 'generator_cpu_s']


def combined(rounds):
    """One row for several rounds: medians of rates and latencies, sums of counts, largest RSS."""
    if len(rounds) == 1:
        return rounds[0]
    f = dict(rounds[0])
    for key in MEDIAN_KEYS:
        f[key] = statistics.median(r.get(key) or 0 for r in rounds)
    for key in SUM_KEYS:
        f[key] = sum(r.get(key) or 0 for r in rounds)
    f['server_peak_rss_kib'] = max(r.get('server_peak_rss_kib') or 0 for r in rounds)
    f['turnaround_samples'] = sum(r['turnaround_samples'] for r in rounds)
    return f


def main(directory):
    figures = {}
    rounds = {}
    print('| scenario | server | sessions/s | p50 ms | p99 ms | p99.9 ms | max ms | first command p99 ms | '
          'errors | peak RSS MiB | server CPU s | generator CPU s | generator lag p99 ms |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for scenario, scenario_title in SCENARIOS:
        for server, server_title in SERVERS:
            runs = load_rounds(directory, f'{server}-{scenario}')
            if not runs:
                continue
            rounds[(server, scenario)] = runs
            f = figures[(server, scenario)] = combined(runs)
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

    titles = dict(SERVERS)
    for scenario, metric, unit in [('throughput', 'sessions_per_s', '/s'), ('busy-pbx', 'turnaround_p99_ms', ' ms p99')]:
        shown = [server for server, _ in SERVERS
                 if server != 'touchbase-answered' and len(rounds.get((server, scenario), [])) > 1]
        if not shown:
            continue
        ratio_column = scenario == 'throughput' and 'touchbase' in shown and 'panoramisk' in shown
        print(f'| {scenario} round ({unit.strip()}) | ' + ' | '.join(titles[server] for server in shown)
              + (' | TouchBase / panoramisk |' if ratio_column else ' |'))
        print('|---:|' + '---:|' * (len(shown) + (1 if ratio_column else 0)))
        for index in range(max(len(rounds[(server, scenario)]) for server in shown)):
            cells = [rounds[(server, scenario)][index][metric] if index < len(rounds[(server, scenario)]) else None
                     for server in shown]
            row = f"| {index + 1} | " + ' | '.join('–' if c is None else (f'{c:.0f}' if scenario == 'throughput' else f'{c:.3f}')
                                                   for c in cells)
            if ratio_column:
                t, p = cells[shown.index('touchbase')], cells[shown.index('panoramisk')]
                row += f" | {t / p:.2f}x" if t and p else ' | –'
            print(row + ' |')
        print()
    tb_rounds, pk_rounds = rounds.get(('touchbase', 'throughput'), []), rounds.get(('panoramisk', 'throughput'), [])
    pairs = [(t['sessions_per_s'], p['sessions_per_s']) for t, p in zip(tb_rounds, pk_rounds) if p['sessions_per_s'] > 0]
    if pairs:
        ratios = [t / p for t, p in pairs]
        ratio = statistics.median(ratios)
        each = f" (rounds: {', '.join(f'{r:.2f}x' for r in ratios)})" if len(ratios) > 1 else ''
        check('throughput', ratio >= 3,
              f"TouchBase {statistics.median(t for t, _ in pairs):.0f}/s vs panoramisk "
              f"{statistics.median(p for _, p in pairs):.0f}/s = {ratio:.2f}x{' median' if len(ratios) > 1 else ''}"
              f"{each} (target at least 3x)")
    tb, pk = figures.get(('touchbase', 'busy-pbx')), figures.get(('panoramisk', 'busy-pbx'))
    if tb:
        busy_rounds = len(rounds.get(('touchbase', 'busy-pbx'), []))
        check('busy PBX turnaround', tb['turnaround_p99_ms'] < 2,
              f"TouchBase p99 {tb['turnaround_p99_ms']:.3f} ms{f' (median of {busy_rounds} rounds)' if busy_rounds > 1 else ''}"
              f" (target under 2 ms)"
              + (f"; panoramisk p99 {pk['turnaround_p99_ms']:.3f} ms = "
                 f"{pk['turnaround_p99_ms'] / max(tb['turnaround_p99_ms'], 1e-9):.1f}x TouchBase's" if pk else ''))
        rss = (tb.get('server_peak_rss_kib') or 0) / 1024
        check('busy PBX memory', 0 < rss < 150,
              f"TouchBase peak RSS {rss:.1f} MiB{' (largest of its rounds)' if busy_rounds > 1 else ''} (target under 150 MB)"
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
