#!/usr/bin/env python3
"""A minimal FastAGI server on plain asyncio streams (no framework) that sends the `bench`
dialog: a reference point between panoramisk and TouchBase for Benchmarks/run.

Usage: asyncio_bench_server.py [--host 127.0.0.1] [--port 4575]
"""
import asyncio

from bench_server import DIALOG, loopback_address, serve

COMMANDS = [command.encode() + b'\n' for command in DIALOG]
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
        for command in COMMANDS:
            writer.write(command)
            await writer.drain()
            response = await reader.readline()
            if not response or response.startswith(b'511'):
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


if __name__ == '__main__':
    host, port = loopback_address(__doc__.splitlines()[0], default_port=4575)
    asyncio.run(serve('asyncio', session, host, port))
