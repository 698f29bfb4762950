#!/usr/bin/env python3
"""A minimal FastAGI server on plain asyncio streams (no framework) that sends the `bench`
dialog: a reference point between panoramisk and TouchBase for Benchmarks/run.

Usage: asyncio_bench_server.py [--host 127.0.0.1] [--port 4575]
"""
import argparse
import asyncio

DIALOG = [
    b'GET VARIABLE AMDSTATUS\n',
    b'GET VARIABLE AMDCAUSE\n',
    b'GET VARIABLE TOUCHBASE_CALL\n',
    b'EXEC WaitForSilence 1500,1,20\n',
    b'STREAM FILE touchbase/bench ""\n',
    b'SET VARIABLE CDR(userfield) "tb-bench"\n',
    b'VERBOSE "touchbase bench done" 1\n',
    b'HANGUP\n',
]
MAX_LINE = 8192
MAX_ENV_LINES = 256


async def session(reader, writer):
    try:
        route = None
        for _ in range(MAX_ENV_LINES):
            line = await reader.readline()
            if not line or len(line) > MAX_LINE:
                return
            line = line.rstrip(b'\r\n')
            if not line:
                break
            key, _, value = line.partition(b': ')
            if key == b'agi_network_script':
                route = value
        else:
            return
        if route != b'bench':
            writer.write(b'VERBOSE "no such route" 1\n')
            await writer.drain()
            await reader.readline()
            return
        for command in DIALOG:
            writer.write(command)
            await writer.drain()
            response = await reader.readline()
            if not response or response.startswith(b'511'):
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(host, port):
    server = await asyncio.start_server(session, host, port, backlog=1024)
    print(f'asyncio FastAGI listening on {host}:{port}', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=4575)
    args = parser.parse_args()
    if not args.host.startswith('127.') and args.host != '::1':
        parser.error('bind a loopback address only: FastAGI has no authentication')
    asyncio.run(main(args.host, args.port))
