#!/usr/bin/env python3
"""A panoramisk FastAGI server that sends TouchBase's `bench` dialog, for Benchmarks/run.

The same eight commands as `touchbase serve`'s bench route, each after the previous answer;
then panoramisk closes the connection when the handler returns.

Usage: panoramisk_bench_server.py [--host 127.0.0.1] [--port 4574]
"""
import asyncio
import logging

from panoramisk.fast_agi import Application

from bench_server import DIALOG, loopback_address, serve


async def bench(request):
    for command in DIALOG:
        result = await request.send_command(command)
        # A dead channel (511) ends the dialog early, as TouchBase's route does.
        if result.get('status_code') == 511:
            return


if __name__ == '__main__':
    host, port = loopback_address(__doc__.splitlines()[0], default_port=4574)
    logging.basicConfig(level=logging.WARNING)
    app = Application()
    app.add_route('bench', bench)
    asyncio.run(serve('panoramisk', app.handler, host, port))
