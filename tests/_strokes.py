"""Pen strokes that retrace an MNIST digit, for drawing it in a browser.

The digit's ink is thinned to a one-pixel skeleton (scikit-image), and the
skeleton's pixels are walked into polylines: each walk starts at a line's end
where it can and follows neighbouring pixels until it runs out, so a pen
moving along the polylines draws the digit again, as a person would, in a
few strokes.
"""

import numpy as np

_STEPS = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]  # straight first


def _neighbours(pixel, pixels):
    row, col = pixel
    found = []
    for dr, dc in _STEPS:
        other = (row + dr, col + dc)
        if other not in pixels:
            continue
        # A diagonal step is redundant where a straight path joins the same pixels.
        if dr and dc and ((row + dr, col) in pixels or (row, col + dc) in pixels):
            continue
        found.append(other)
    return found


def digit_strokes(digit, threshold=96):
    """Polylines, in (x, y) pixel coordinates of ``digit``, that retrace its ink.

    Parameters
    ----------
    digit : ndarray of shape (h, w)
        Bright ink on black, as in MNIST.
    threshold : int, default=96
        Pixels above it are ink.

    Returns
    -------
    strokes : list of list of (float, float)
        Each stroke's points at pixel centres; a stroke of one point is a dot.
    """
    from skimage.morphology import skeletonize

    skeleton = skeletonize(np.asarray(digit) > threshold)
    pixels = set(zip(*(axis.tolist() for axis in np.nonzero(skeleton))))
    graph = {p: _neighbours(p, pixels) for p in pixels}
    done = set()

    def free(p):
        return [q for q in graph[p] if frozenset((p, q)) not in done]

    strokes = []
    while True:
        starts = sorted(p for p in pixels if free(p))
        if not starts:
            break
        ends = [p for p in starts if len(graph[p]) == 1]
        path = [(ends or starts)[0]]
        while free(path[-1]):
            step = free(path[-1])[0]
            done.add(frozenset((path[-1], step)))
            path.append(step)
        strokes.append(path)
    strokes += [[p] for p in sorted(pixels) if not graph[p]]
    return [[(col + 0.5, row + 0.5) for row, col in path] for path in strokes]
