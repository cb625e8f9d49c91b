"""``skdigits draw``: a local web page where the model reads the digit you draw."""

import errno
import os
import sys

from ._common import UsageError
from ._options import add_command, allow_pickle_options, model_options, probability

DEFAULT_PORT = 8765
#: As ``skdigits predict --min-probability`` (the same default, so the page's
#: number answers are the records ``predict --number --json`` prints).
DEFAULT_MIN_PROBABILITY = 0.6


def port_number(text):
    """Parse a TCP port (0 picks a free one) for argparse."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number in 0-65535; got {text!r}")
    return value


def add_parser(subparsers):
    """Add ``skdigits draw``."""
    parser = add_command(
        subparsers,
        "draw",
        help="draw a digit or a number in a local web page and watch the model read it",
        description="Serve a page where you draw a digit with the mouse, a finger or a pen "
        "(or drop a photo) and see, after each stroke, the digit the model reads, its ten "
        "probabilities and the 28x28 image it saw; in its number mode you write a number "
        "of several digits on a wide canvas and see each digit read, with its box. The "
        "page talks to a small server on this machine (POST /predict takes PNG or JPEG "
        "bytes and answers JSON; POST /predict?number=1 answers the record of skdigits "
        "predict --number --json); it listens on 127.0.0.1 only unless --host says "
        "otherwise. Without a model, the model that ships with skdigits (trained on full "
        "MNIST) is used.",
        epilog="examples:\n  skdigits draw\n"
        "  skdigits draw skdigits-model.skdigits --port 8000\n"
        "  skdigits draw --no-browser --port 0\n"
        "  skdigits draw --number",
        parents=[model_options(optional=True), allow_pickle_options()],
    )
    parser.add_argument(
        "--port",
        type=port_number,
        metavar="N",
        help=f"port to listen on; 0 picks a free one (default: {DEFAULT_PORT}, "
        "or a free one when it is taken)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default: %(default)s, this machine "
        "only); 0.0.0.0 lets anyone on the network use the page",
    )
    parser.add_argument(
        "--number",
        action="store_true",
        help="open the page in its number mode (a wide canvas for a number of several "
        "digits); the page can switch modes at any time",
    )
    parser.add_argument(
        "--min-probability",
        type=probability,
        default=DEFAULT_MIN_PROBABILITY,
        metavar="P",
        help="in number mode, flag digits read with a probability under P as unsure, "
        "as skdigits predict --number does (default: %(default)s)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open the page in a browser; just print its address",
    )
    return parser


def _load_model(args):
    from ..persistence import load_model
    from ..pretrained import load_default_model

    if args.model is None:
        try:
            return load_default_model(log=print)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(str(exc)) from None
    options = {"trusted": True} if args.allow_pickle else {}
    try:
        return load_model(args.model, **options)
    except (FileNotFoundError, ValueError) as exc:
        message = str(exc)
        if type(exc).__name__ == "UntrustedModelError" and "--allow-pickle" not in message:
            message += " (skdigits draw --allow-pickle loads it: only for files you trust)"
        raise UsageError(message) from None


def _open_browser(url):
    """Open ``url`` in a graphical browser; False where there is none to open."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False  # no desktop: a text-mode browser would take over the terminal
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def _bind(model, host, port, *, min_probability=DEFAULT_MIN_PROBABILITY):
    from ..draw import make_server

    try:
        return make_server(
            model, host, DEFAULT_PORT if port is None else port, min_probability=min_probability
        )
    except ValueError as exc:  # a model that does not read digits: say so in one line
        raise UsageError(f"cannot serve this model: {exc}") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE and port is None:
            # the usual port is taken: any free one
            return make_server(model, host, 0, min_probability=min_probability)
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} is in use; choose another with --port, or --port 0 for any free port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(args):
    """Serve the drawing page until Ctrl-C; return 0."""
    from ..draw import is_loopback

    model = _load_model(args)  # predicts without TensorFlow (NumPy)
    server = _bind(model, args.host, args.port, min_probability=args.min_probability)
    if not is_loopback(args.host):
        print(
            f"skdigits: warning: listening on {args.host}: anyone who can reach this machine "
            "on the network can use the page. Use --host 127.0.0.1 to keep it to yourself.",
            file=sys.stderr,
            flush=True,
        )
    url = server.url + ("#number" if args.number else "")
    print(f"Drawing page at {url}  (press Ctrl-C to stop)", flush=True)
    if not is_loopback(args.host):
        print(
            f"From other devices: http://<this machine's address>:{server.server_address[1]}/",
            flush=True,
        )
    if not args.no_browser and not _open_browser(url):
        print("Open that address in a browser.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        server.server_close()
    return 0
