"""The drawing page of ``skdigits draw``: a small local web server around a fitted pipeline.

The standard library's :class:`~http.server.ThreadingHTTPServer` serves one
self-contained page (``draw.html``, shipped in the package) and one JSON
endpoint, ``POST /predict``, that takes the bytes of a picture (PNG or JPEG)
and answers with the digit, the ten probabilities and the 28x28 image the
model saw; ``POST /predict?number=1`` reads a number of several digits and
answers the record ``skdigits predict --number --json`` prints for it.
Nothing else is served: no file of the machine is ever read on a request's
behalf.
"""

import base64
import io
import ipaddress
import json
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qsl

import numpy as np

from ..images import NumberReader

#: Largest request body accepted, in bytes; larger ones get 413.
MAX_BODY_BYTES = 5 * 1024 * 1024
#: Most pixels a POSTed picture may decode to (after a JPEG is reduced while
#: decoding, as ``skdigits predict`` does); larger ones get 400 before any
#: decoding. A 12-megapixel phone photo passes; a small PNG declaring 7000 x
#: 7000 pixels, which would take half a gigabyte to decode, does not.
MAX_DECODED_PIXELS = 12_000_000
#: Pictures read at the same time; further requests wait their turn (at most
#: ``_QUEUE_SECONDS``), so memory stays bounded however many arrive at once.
READERS = 2
_QUEUE_SECONDS = 20
#: Connections the listening socket holds before it refuses new ones: a
#: classroom's worth arriving at once.
LISTEN_BACKLOG = 128
#: Digits read with a probability under this are unsure in ``?number=1``
#: answers, as under ``skdigits predict``'s default ``--min-probability``.
MIN_PROBABILITY = 0.6
#: The query parameters of ``POST /predict``, with what each one asks for.
QUERY_FLAGS = {
    "number": "read a number of several digits in one line",
    "seen": "add each digit's 28x28 image as the model saw it",
}
_TRUE, _FALSE = ("1", "true"), ("0", "false")
#: Errors that only mean the browser went away: one quiet line, no traceback.
_GONE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, TimeoutError)
_DRAIN_LIMIT = 8 * MAX_BODY_BYTES  # an oversized body up to this is read and dropped
_LOOPBACK_NAMES = ("localhost",)
_PAGE_HEADERS = {
    # The page needs nothing from outside: inline script and style, data: and
    # blob: images, requests to this server only.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data: blob:; connect-src 'self'; form-action 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host):
    """True when ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _png_base64(image):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def digit_slots(reader):
    """Where each of the model's classes goes among the digits 0-9 (its ``classes_`` as ints).

    Raises ValueError for a model whose classes are not digits 0-9.
    """
    classes = np.asarray(reader.classifier.classes_)
    if classes.dtype.kind not in "iu" or classes.min() < 0 or classes.max() > 9:
        raise ValueError(
            f"the model must predict the digits 0-9; its classes are {classes.tolist()}"
        )
    return classes.astype(int)


def answer(reading, slots):
    """The ``/predict`` endpoint's answer for a reading that gave a digit.

    Parameters
    ----------
    reading : DigitReading
        What the reader read in the picture.
    slots : ndarray of int
        :func:`digit_slots` of the reader.

    Returns
    -------
    answer : dict
        ``digit`` (int), ``probabilities`` (ten floats, for the digits 0-9)
        and ``seen`` (the 28x28 image the model saw, a base64 PNG).
    """
    ten = np.zeros(10)
    ten[slots] = reading.probabilities
    return {
        "digit": int(np.argmax(ten)),
        "probabilities": [round(float(p), 6) for p in ten],
        "seen": _png_base64(reading.seen),
    }


def number_answer(reading, *, seen=False):
    """The ``/predict?number=1`` endpoint's answer for a reading that found digits.

    Parameters
    ----------
    reading : NumberReading
        What the number reader read in the picture.
    seen : bool, default=False
        Add to each digit ``seen``, the 28x28 image the model saw (a base64
        PNG), as the page shows it.

    Returns
    -------
    answer : dict
        :meth:`NumberReading.as_dict <skdigits.images.NumberReading.as_dict>`:
        the record ``skdigits predict --number --json`` prints, ``file``
        being ``"the picture"``.
    """
    record = reading.as_dict()
    if seen:
        for one, digit in zip(record["digits"], reading.digits):
            one["seen"] = _png_base64(digit.seen)
    return record


def _clip(text, limit=60):
    """``text`` as repr, cut to about ``limit`` characters (error messages echo what came)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def predict_options(query):
    """The options a ``POST /predict`` query string asks for.

    Parameters
    ----------
    query : str
        What follows ``?`` in the request's path (``""`` for none).

    Returns
    -------
    options : dict
        ``{"number": bool, "seen": bool}``: both False without a query.

    Raises
    ------
    ValueError
        For a query that is not ``name=value`` pairs, an unknown or repeated
        name, a value other than 1 or 0 (true or false), or ``seen=1``
        without ``number=1``; the message says what was expected.
    """
    expected = f"number=1 ({QUERY_FLAGS['number']}) and, with it, seen=1 ({QUERY_FLAGS['seen']})"
    options = dict.fromkeys(QUERY_FLAGS, False)
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(
            f"cannot read the query {_clip(query)}: expected name=value pairs joined by & "
            f"({expected})"
        ) from None
    given = set()
    for name, value in pairs:
        if name not in QUERY_FLAGS:
            raise ValueError(
                f"unknown query parameter {_clip(name)} for /predict; it takes {expected}"
            )
        if name in given:
            raise ValueError(f"the query parameter {name!r} is given twice; give it once")
        given.add(name)
        if value.lower() not in _TRUE + _FALSE:
            raise ValueError(
                f"the query parameter {name}={_clip(value)} must be 1 or 0 (true or false); "
                f"{name}=1 means: {QUERY_FLAGS[name]}"
            )
        options[name] = value.lower() in _TRUE
    if options["seen"] and not options["number"]:
        raise ValueError(
            "seen=1 goes with number=1: a single digit's answer always holds the image seen"
        )
    return options


def decoded_pixels(data):
    """How many pixels the picture in ``data`` decodes to, read from its header alone.

    A JPEG counts at the smallest size it can be decoded at while staying
    above :data:`~skdigits.images.READ_PIXELS` (its scales 1/2, 1/4, 1/8), as
    the reader decodes it; any other format counts at its full size. None
    when the header is not a picture's (the reader then says what is wrong).
    """
    from PIL import Image, UnidentifiedImageError

    from ..images import READ_PIXELS

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height, kind = image.width, image.height, image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    n_pixels = width * height
    if kind == "JPEG":
        scale = 1
        while scale < 8 and n_pixels / (2 * scale) ** 2 >= READ_PIXELS:
            scale *= 2
        return n_pixels // (scale * scale)
    return n_pixels


def _page():
    return resources.files(__package__).joinpath("draw.html").read_text(encoding="utf-8")


class DrawRequestHandler(BaseHTTPRequestHandler):
    """``GET /`` (the page), ``POST /predict[?number=1]`` (JSON); everything else 404."""

    server_version = "skdigits-draw"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a silent connection may hold a thread

    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        log = getattr(self.server, "log", None)
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    def _send(self, status, body, content_type, headers=None, head=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**_PAGE_HEADERS, **(headers or {})}.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, status, payload, headers=None):
        body = json.dumps(payload).encode("utf-8")
        self._send(status, body, "application/json", headers)

    def _error(self, status, message, headers=None):
        self._json(status, {"error": message}, headers)

    def _host_allowed(self):
        """Refuse other host names on a loopback server (DNS rebinding)."""
        if not self.server.loopback_only:
            return True
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not host or is_loopback(name):  # browsers always send Host; old tools may not
            return True
        self.close_connection = True
        self._error(HTTPStatus.FORBIDDEN, f"this server answers to localhost only, not {host!r}")
        return False

    def _same_origin(self):
        """Refuse a POST that a page from elsewhere made the browser send (403).

        Browsers say where a request comes from: ``Origin`` (sent with every
        cross-site POST, a plain HTML form's included) and ``Sec-Fetch-Site``.
        Without this check any web page the user visits could make this
        server read pictures. Tools such as curl send neither and are served.
        """
        site = self.headers.get("Sec-Fetch-Site")
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        if site is not None and site not in ("same-origin", "none"):
            reason = f"Sec-Fetch-Site: {site}"
        elif origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            reason = f"Origin: {origin}"
        else:
            return True
        self.close_connection = True
        self._error(
            HTTPStatus.FORBIDDEN,
            f"only the drawing page itself may POST here, not a page from elsewhere ({reason})",
        )
        return False

    def _path(self):
        return self.path.split("?", 1)[0]

    def _get(self, head):
        if not self._host_allowed():
            return
        if self._path() == "/":
            body = self.server.page.encode("utf-8")
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", head=head)
        elif self._path() == "/predict":
            self._error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "POST the picture's bytes to /predict",
                {"Allow": "POST"},
            )
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no such page: {self._path()}")

    def do_GET(self):  # noqa: N802  (http.server's name)
        """Serve the page at ``/``; 404 for anything else."""
        self._get(head=False)

    def do_HEAD(self):  # noqa: N802
        """As GET, without the body."""
        self._get(head=True)

    def _read_body(self):
        """The request body, or None once an error has been answered."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._error(
                HTTPStatus.LENGTH_REQUIRED, "send a Content-Length; chunked bodies are not read"
            )
            return None
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return None
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            if length <= _DRAIN_LIMIT:  # read it, so the client gets the answer
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the picture is {length:,} bytes; send at most {MAX_BODY_BYTES:,} "
                "(a smaller or more compressed picture)",
            )
            return None
        return self.rfile.read(length) if length else b""

    def do_POST(self):  # noqa: N802
        """Read the digit (with ``?number=1``: the number) in the picture POSTed to ``/predict``."""
        if not self._host_allowed() or not self._same_origin():
            return
        if self._path() != "/predict":
            self.close_connection = True
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self._path()}")
            return
        data = self._read_body()
        if data is None:
            return
        try:  # after the body is read, so the connection stays usable
            options = predict_options(self.path.partition("?")[2])
        except ValueError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        n_pixels = decoded_pixels(data)
        if n_pixels is not None and n_pixels > MAX_DECODED_PIXELS:
            self._error(
                HTTPStatus.BAD_REQUEST,
                f"the picture is too large to read here: it decodes to {n_pixels / 1e6:.3g} "
                f"megapixels, and the drawing page reads pictures of at most "
                f"{MAX_DECODED_PIXELS / 1e6:.3g} megapixels (a JPEG photo, or a smaller picture)",
            )
            return
        if not self.server.readers.acquire(timeout=_QUEUE_SECONDS):
            self._error(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "the server is busy reading other pictures; try again in a moment",
                {"Retry-After": "2"},
            )
            return
        try:
            # Read as ``skdigits predict`` reads a file: in colour, at most READ_PIXELS.
            if options["number"]:
                error, body = self._read_number(data, seen=options["seen"])
            else:
                error, body = self._read_digit(data)
        except Exception as exc:  # a bug, not the user's picture: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._error(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                f"the model could not read the picture: {type(exc).__name__}: {exc}",
            )
            return
        finally:
            self.server.readers.release()
        if error is not None:  # not a picture, or no ink
            self._error(HTTPStatus.BAD_REQUEST, error)
            return
        self._json(HTTPStatus.OK, body)

    def _read_digit(self, data):
        """(error, None) or (None, the answer) for one digit."""
        reading = self.server.reader.read(data, name="the picture")
        if reading.error is not None:
            return reading.error, None
        return None, answer(reading, self.server.slots)

    def _read_number(self, data, *, seen):
        """(error, None) or (None, the answer) for a number; no ink is an error, as in the CLI."""
        reading = self.server.number_reader.read(data, name="the picture")
        if reading.error is not None:
            return reading.error, None
        if not reading.digits:
            return reading.unsure_because[0], None
        return None, number_answer(reading, seen=seen)


class DrawServer(ThreadingHTTPServer):
    """The HTTP server of ``skdigits draw``: one thread per connection.

    Parameters
    ----------
    address : (host, port)
        Where to listen; port 0 picks a free port.
    reader : skdigits.images.NumberReader
        Reads the number in pictures POSTed with ``?number=1``; its
        ``digit_reader`` reads the digit in the others (one reader, so one
        lock around the model's forward pass). Its model must predict the
        digits 0-9 (a ValueError otherwise).
    log : callable or None, default=None
        Receives one line per request; None keeps quiet.

    Attributes
    ----------
    reader : skdigits.images.DigitReader
        Reads single digits (``reader.digit_reader``).
    number_reader : skdigits.images.NumberReader
        Reads numbers.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address, reader, *, log=None):
        host = address[0]
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        self.number_reader = reader
        self.reader = reader.digit_reader
        self.slots = digit_slots(self.reader)
        self.log = log
        self.readers = threading.BoundedSemaphore(READERS)
        self.loopback_only = is_loopback(host)
        self.page = _page().replace("__MAX_BODY_BYTES__", str(MAX_BODY_BYTES))
        super().__init__((host.strip("[]"), address[1]), DrawRequestHandler)

    def handle_error(self, request, client_address):
        """A browser that went away is one quiet line; anything else keeps its traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, _GONE):
            print(
                f"skdigits draw: {client_address[0]} went away "
                f"({type(error).__name__}) at {time.strftime('%H:%M:%S')}",
                file=sys.stderr,
            )
            return
        super().handle_error(request, client_address)

    @property
    def url(self):
        """The address of the page, as a browser on this machine reaches it."""
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"


def make_server(model, host="127.0.0.1", port=0, *, min_probability=MIN_PROBABILITY, log=None):
    """Make the drawing page's server for a fitted pipeline (not yet serving).

    Parameters
    ----------
    model : Pipeline
        A fitted digit pipeline; a :class:`~skdigits.DigitImageNormalizer`
        is put in front when it has none.
    host : str, default="127.0.0.1"
        Interface to listen on. Only loopback addresses keep the page to
        this machine.
    port : int, default=0
        Port to listen on; 0 picks a free one (see :attr:`DrawServer.url`).
    min_probability : float, default=0.6
        Digits read with a probability under this are unsure in the
        answers to ``POST /predict?number=1``, as under ``skdigits predict
        --number --min-probability``.
    log : callable or None, default=None
        Receives one line per request.

    Returns
    -------
    server : DrawServer
        Call ``serve_forever()`` (and ``shutdown()`` from another thread),
        then ``server_close()``.

    Examples
    --------
    Any fitted pipeline that predicts the digits 0-9 will do; here one that
    always answers the most frequent digit, so nothing is trained:

    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdigits import ImageReshaper, load_mnist_sample
    >>> from skdigits.draw._server import make_server
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> model = make_pipeline(ImageReshaper(), DummyClassifier()).fit(X[:50], y[:50])
    >>> server = make_server(model, "127.0.0.1", 0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    if (
        isinstance(min_probability, bool)
        or not isinstance(min_probability, (int, float, np.floating, np.integer))
        or not 0.0 <= min_probability <= 1.0
    ):
        raise ValueError(
            f"min_probability must be a probability in [0, 1]; got {min_probability!r}"
        )
    reader = NumberReader(model, min_probability=float(min_probability))
    # One prediction now, so the first stroke does not wait for the model's
    # lazy set-up (imports, the NumPy forward pass).
    reader.digit_reader.predict_proba(np.zeros((1, 28, 28), dtype=np.uint8))
    return DrawServer((host, port), reader, log=log)
