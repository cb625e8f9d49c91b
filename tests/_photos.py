"""Realistic "photographed" digits made from MNIST digits, for the normaliser tests.

Each MNIST digit (bright ink on black, 28x28) is rendered large as dark ink
on light paper, then given what phone photos and scans have: random scale and
offset, slight rotation, blur, noise, a lighting gradient, paper texture,
ruled or squared lines, colour, and JPEG compression.
"""

import io

import numpy as np
from PIL import Image, ImageFilter


def photograph(digit, seed, *, lines=None):
    """Return an RGB PIL image of ``digit`` (28x28 uint8, MNIST form) as a photo."""
    rng = np.random.default_rng(seed)
    height, width = int(rng.integers(200, 400)), int(rng.integers(200, 400))
    size = int(rng.uniform(0.35, 0.8) * min(height, width))
    ink_image = Image.fromarray(digit).resize((size, size), Image.BICUBIC)
    ink_image = ink_image.rotate(float(rng.uniform(-10, 10)), resample=Image.BILINEAR)
    ink = np.zeros((height, width), dtype=np.float64)
    top = int(rng.integers(0, height - size + 1))
    left = int(rng.integers(0, width - size + 1))
    ink[top : top + size, left : left + size] = np.asarray(ink_image, dtype=np.float64) / 255.0

    paper = float(rng.uniform(195, 245))
    rows, cols = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * cols / width + np.sin(angle) * rows / height
    background = paper - float(rng.uniform(15, 55)) * (ramp - ramp.min())
    texture = (
        np.asarray(
            Image.fromarray(
                rng.normal(128, 40, (height, width)).clip(0, 255).astype(np.uint8)
            ).filter(ImageFilter.GaussianBlur(6)),
            dtype=np.float64,
        )
        - 128
    )
    background += float(rng.uniform(0.5, 1.5)) * texture
    kind = lines if lines is not None else rng.choice(["none", "ruled", "squared"])
    if kind != "none":
        step = int(rng.integers(24, 40))
        shade = float(rng.uniform(25, 50))
        for r in range(int(rng.integers(0, step)), height, step):
            background[r : r + 1, :] -= shade
        if kind == "squared":
            for c in range(int(rng.integers(0, step)), width, step):
                background[:, c : c + 1] -= shade
    contrast = float(rng.uniform(0.45, 0.85))
    gray = background * (1 - contrast * ink)
    gray = np.asarray(
        Image.fromarray(gray.clip(0, 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2)))
        ),
        dtype=np.float64,
    )
    gray += rng.normal(0, float(rng.uniform(2, 6)), gray.shape)
    tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.97)])
    rgb = (gray[..., None] * tint).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=int(rng.integers(50, 90)))
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def render(
    digit,
    *,
    frame=(240, 240),
    digit_px=140,
    at=None,
    paper=(225, 222, 215),
    ink=(30, 30, 30),
    grid=None,
    grid_step=28,
    grid_rgb=(120, 120, 120),
    grid_width=2,
    light=1.0,
    shadow=0.0,
    marks=(),
    noise=3.0,
    seed=0,
):
    """An RGB uint8 picture of ``digit`` (MNIST form) drawn on paper, deterministic.

    ``grid`` is None, "ruled" (horizontal lines) or "squared"; ``grid_rgb``
    and ``grid_width`` its print. ``light`` scales the whole picture (dim
    photos: below 1); ``shadow`` darkens the top-left corner by that share.
    ``marks`` are ``(row, col, height, width)`` dark rectangles elsewhere (a
    dot, a box edge). ``at`` is the digit's top-left corner (default: centred).
    """
    rng = np.random.default_rng(seed)
    height, width = frame
    strength = (
        np.asarray(
            Image.fromarray(digit).resize((digit_px, digit_px), Image.BICUBIC), dtype=np.float64
        )
        / 255.0
    )
    top, left = at if at is not None else ((height - digit_px) // 2, (width - digit_px) // 2)
    alpha = np.zeros((height, width))
    alpha[top : top + digit_px, left : left + digit_px] = strength
    picture = np.ones((height, width, 3)) * np.asarray(paper, dtype=np.float64)
    if grid is not None:
        line = np.zeros((height, width), dtype=bool)
        for r in range(grid_step // 2, height, grid_step):
            line[r : r + grid_width] = True
        if grid == "squared":
            for c in range(grid_step // 2, width, grid_step):
                line[:, c : c + grid_width] = True
        picture[line] = grid_rgb
    for row, col, h, w in marks:
        picture[row : row + h, col : col + w] = ink
    picture = picture * (1 - alpha[..., None]) + np.asarray(ink, np.float64) * alpha[..., None]
    rows, cols = np.mgrid[0:height, 0:width]
    falloff = 1 - shadow * np.clip(1 - np.hypot(rows / height, cols / width) / 0.8, 0, 1)
    picture = picture * (light * falloff)[..., None] + rng.normal(0, noise, picture.shape)
    return np.clip(picture, 0, 255).astype(np.uint8)


def notebook(
    digit,
    *,
    paper="squared",
    frame=(300, 300),
    digit_px=150,
    pitch=28,
    angle=0.0,
    line_width=2,
    line_rgb=(45, 45, 60),
    ink=(30, 30, 40),
    background=(228, 224, 212),
    shadow=0.0,
    perspective=0.0,
    curl=0.0,
    dots=None,
    jpeg=85,
    seed=0,
):
    """An RGB uint8 phone photo of ``digit`` written on squared or ruled paper.

    Student paper as photographed: a 5 mm grid (``pitch`` pixels) printed
    as dark as the pen (``line_rgb``), turned by ``angle`` degrees, with a
    soft shadow band darkening the left edge by the share ``shadow``, a
    slight ``perspective`` (the far edge narrower by that share), a page
    curling away at its sides (``curl``: how far, as a share of the height,
    the lines rise at the left and right edges, bending more towards them),
    dotted print (``dots``: the lines drawn two pixels in this many along
    them, None for solid lines), noise and JPEG compression (``jpeg``: quality, or None).
    ``paper`` is "squared", "ruled" (horizontal lines) or None;
    deterministic for a ``seed``.
    """
    rng = np.random.default_rng(seed)
    height, width = frame
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    turn = np.radians(angle)
    across = -cols * np.sin(turn) + rows * np.cos(turn)
    down = cols * np.cos(turn) + rows * np.sin(turn)
    across = across + curl * height * (2 * cols / width - 1) ** 4  # the page curls at its sides
    offset = pitch / 2
    line = np.zeros((height, width), bool)
    dashes = np.ones((height, width), bool) if dots is None else (down % dots) < 2
    if paper is not None:
        line |= ((across + offset) % pitch < line_width) & dashes
        if paper == "squared":
            gaps = np.ones_like(dashes) if dots is None else (across % dots) < 2
            line |= ((down + offset) % pitch < line_width) & gaps
    picture = np.ones((height, width, 3)) * np.asarray(background, np.float64)
    picture[line] = line_rgb
    strength = (
        np.asarray(
            Image.fromarray(digit).resize((digit_px, digit_px), Image.BICUBIC), dtype=np.float64
        )
        / 255.0
    )
    alpha = np.zeros((height, width))
    top, left = (height - digit_px) // 2, (width - digit_px) // 2
    alpha[top : top + digit_px, left : left + digit_px] = strength
    picture = picture * (1 - alpha[..., None]) + np.asarray(ink, np.float64) * alpha[..., None]
    band = np.clip(1 - cols / (0.3 * width), 0, 1) ** 1.5  # soft: darkest at the left edge
    picture *= (1 - shadow * band)[..., None]
    picture += rng.normal(0, 3.0, picture.shape)
    image = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))
    if perspective:
        squeeze = perspective * width / 2
        quad = (squeeze, 0, 0, height, width, height, width - squeeze, 0)
        image = image.transform(image.size, Image.QUAD, quad, Image.BILINEAR)
        fill = np.asarray(image).copy()
        fill[fill.sum(axis=-1) == 0] = background  # the corners the quad left empty
        image = Image.fromarray(fill)
    if jpeg is not None:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=jpeg)
        buffer.seek(0)
        image = Image.open(buffer).convert("RGB")
    return np.asarray(image)
