#!/usr/bin/env python3
"""A panoramisk FastAGI server that sends TouchBase's `bench` dialog, for Benchmarks/run.

The same eight commands as `touchbase serve`'s bench route, each after the previous answer;
then panoramisk closes the connection when the handler returns.

Usage: panoramisk_bench_server.py [--host 127.0.0.1] [--port 4574]
"""
import argparse
import asyncio
import logging

from panoramisk.fast_agi import Application

DIALOG = [
    'GET VARIABLE AMDSTATUS',
    'GET VARIABLE AMDCAUSE',
    'GET VARIABLE TOUCHBASE_CALL',
    'EXEC WaitForSilence 1500,1,20',
    'STREAM FILE touchbase/bench ""',
    'SET VARIABLE CDR(userfield) "tb-bench"',
    'VERBOSE "touchbase bench done" 1',
    'HANGUP',
]


async def bench(request):
    for command in DIALOG:
        result = await request.send_command(command)
        # A dead channel (511) ends the dialog early, as TouchBase's route does.
        if result.get('status_code') == 511:
            return


async def main(host, port):
    app = Application()
    app.add_route('bench', bench)
    # The same listen backlog as TouchBase's server (1024), so 1,000 calls arriving at once
    # are not refused by asyncio's default of 100.
    server = await asyncio.start_server(app.handler, host, port, backlog=1024)
    print(f'panoramisk FastAGI listening on {host}:{port}', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=4574)
    args = parser.parse_args()
    if not args.host.startswith('127.') and args.host not in ('::1', 'localhost'):
        parser.error('bind a loopback address only: FastAGI has no authentication')
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.host, args.port))
