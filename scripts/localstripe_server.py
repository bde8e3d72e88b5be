"""Runs localstripe (the Stripe-compatible test server) on a loopback address.

`localstripe --port N` listens on every interface and keeps its state in one shared
/tmp/localstripe.pickle that any other localstripe on the machine overwrites. This
launcher listens on 127.0.0.1 only, on a port it picks itself when given 0 (no race
between choosing a free port and binding it), prints "LOCALSTRIPE_PORT=<port>" as its
first line, and keeps its state in the file given with --state (or in memory only).

    python scripts/localstripe_server.py --port 0 [--state var/localstripe.pickle]
        [--webhook-url http://127.0.0.1:8000/payments/stripe/webhook/ --webhook-secret whsec_…]
"""

import argparse
import logging
import os
import pickle
import socket
import sys
import tempfile


def _keep_state_in(path):
    from localstripe import resources

    def dump_to_disk(store):
        # Write to a temporary file, then rename: a crash never leaves half a pickle.
        directory = os.path.dirname(os.path.abspath(path))
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as handle:
            pickle.dump(dict(store), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)

    def load_from_disk(store):
        try:
            with open(path, "rb") as handle:
                store.clear()
                dict.update(store, pickle.load(handle))
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            pass

    resources.Store.dump_to_disk = dump_to_disk if path else (lambda store: None)
    if path:
        load_from_disk(resources.store)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state", default="", help="file that keeps objects across restarts")
    parser.add_argument("--webhook-url", default="", help="register this webhook endpoint")
    parser.add_argument("--webhook-secret", default="", help="its signing secret (whsec_…)")
    args = parser.parse_args(argv)

    _keep_state_in(args.state)
    from aiohttp import web
    from localstripe.server import app
    from localstripe.webhooks import register_webhook

    if args.webhook_url:
        # The same as POST /_config/webhooks/portal, without waiting for the server.
        register_webhook("portal", args.webhook_url, args.webhook_secret, None)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    print(f"LOCALSTRIPE_PORT={sock.getsockname()[1]}", flush=True)

    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler(sys.stderr))
    web.run_app(app, sock=sock, access_log=logger, print=None)


if __name__ == "__main__":
    main()
