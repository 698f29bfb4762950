"""What the Python FastAGI servers of Benchmarks/run share: the `bench` dialog and how they start.

Imported by panoramisk_bench_server.py and asyncio_bench_server.py from their own folder.
"""
import argparse
import asyncio

# The same eight commands as `touchbase serve`'s bench route, each after the previous answer.
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


def loopback_address(description, default_port):
    """The --host and --port a server was given; refuses any address but loopback."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=default_port)
    args = parser.parse_args()
    if not args.host.startswith('127.') and args.host not in ('::1', 'localhost'):
        parser.error('bind a loopback address only: FastAGI has no authentication')
    return args.host, args.port


async def serve(name, handler, host, port):
    """Serves connections with `handler` until the process is stopped."""
    # The same listen backlog as TouchBase's server (1024), so 1,000 calls arriving at once
    # are not refused by asyncio's default of 100.
    server = await asyncio.start_server(handler, host, port, backlog=1024)
    print(f'{name} FastAGI listening on {host}:{port}', flush=True)
    async with server:
        await server.serve_forever()
