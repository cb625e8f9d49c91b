"""
Squared paper, ruled paper and shadows
======================================

Students write digits in exercise books: squared or ruled paper whose lines
are printed about as dark as a ballpoint stroke, photographed askew under a
phone's uneven light. Here such photos are drawn from held-out MNIST digits
and normalised twice: with the light subtracted and only horizontal and
vertical lines looked for (as the normaliser did before), and with the
defaults, which divide the light out and find the lines' own direction.
"""

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)


def notebook(digit, *, squared, angle, shadow, pitch=26, seed=0):
    """The digit written on squared or ruled paper, lines as dark as the pen."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:260, 0:260].astype(float)
    turn = np.radians(angle)
    line = (rows * np.cos(turn) - cols * np.sin(turn)) % pitch < 2
    if squared:
        line |= (cols * np.cos(turn) + rows * np.sin(turn)) % pitch < 2
    paper = np.where(line, 60.0, 226.0)
    ink = np.zeros_like(paper)
    ink[55:205, 55:205] = np.asarray(Image.fromarray(digit).resize((150, 150))) / 255.0
    paper = paper * (1 - 0.85 * ink)
    paper *= 1 - shadow * np.clip(1 - cols / 80, 0, 1)  # a shadow along the left edge
    return (paper + rng.normal(0, 3, paper.shape)).clip(0, 255).astype(np.uint8)


cases = [
    ("squared, 5 degrees", dict(squared=True, angle=5, shadow=0.0)),
    ("ruled, -8 degrees", dict(squared=False, angle=-8, shadow=0.0)),
    ("ruled, shadowed edge", dict(squared=False, angle=3, shadow=0.6)),
    ("squared, shadowed edge", dict(squared=True, angle=-3, shadow=0.6)),
]
pictures = [notebook(X[i], seed=i, **kw) for i, (_, kw) in enumerate(cases)]
before = skdigits.DigitImageNormalizer(flatten_illumination="subtract", line_tilt=0)
after = skdigits.DigitImageNormalizer()

# %%
# Each row: the photo, what the normaliser made of it before, and now. Before,
# the tilted lines stay and the crop takes the lattice with the digit; a
# shadowed edge is kept as ink. Now the lines' direction and spacing are
# estimated from the picture, long straight runs in that direction are
# removed except where a stroke crosses them, and the paper's light, measured
# a few pen widths wide, is divided out.
fig, axes = plt.subplots(len(cases), 3, figsize=(6, 2.1 * len(cases)))
for row, ((title, _), picture) in enumerate(zip(cases, pictures)):
    for ax, image, name in zip(
        axes[row],
        [picture, before.transform([picture])[0], after.transform([picture])[0]],
        [title, "before", "now"],
    ):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# A red pen on blue squares
# -------------------------
# Where the pen and the printed lines differ in colour, the normaliser measures
# the ink in the colour that tells them apart in this picture (``ink_hue``):
# the darkness relative to the paper, channel by channel, of the digit's pixels
# and of the lines found on a first look are two clouds, and their linear
# discriminant becomes the ink: the lines fade before any line is looked for,
# and a stroke lying along a line stays whole (this clean drawing is read by
# the grey measure too, once its lines are removed; on real photos the colour
# read a red pen on blue squares that the grey measure lost).
# ``normalize_picture(..., steps=)`` keeps each step's picture, as
# ``skdigits predict --show`` draws them.
from skdigits.images import normalize_picture

digit = X[np.flatnonzero(y == 2)[0]]
grey = notebook(digit, squared=True, angle=2, shadow=0.0, seed=7)
lines = grey < 100  # the print and the pen, drawn below in their own colours
ink = np.zeros((260, 260), bool)
ink[55:205, 55:205] = np.asarray(Image.fromarray(digit).resize((150, 150))) > 100
photo = np.full((260, 260, 3), (226, 224, 214), np.uint8)
photo[lines & ~ink] = (80, 100, 180)  # blue print
photo[ink] = (180, 40, 40)  # red pen
steps = {}
seen = normalize_picture(photo, steps=steps).image
fig, axes = plt.subplots(1, 4, figsize=(8, 2.3))
for ax, image, name in zip(
    axes,
    [
        photo,
        skdigits.DigitImageNormalizer(ink_hue=False).transform([photo])[0],
        steps["find"]["light"],
        seen,
    ],
    ["red pen, blue squares", "ink_hue=False", "the ink in its own colour", "ink_hue=True"],
):
    ax.imshow(image, cmap="gray")
    ax.set_title(name, fontsize=9)
    ax.axis("off")
fig.tight_layout()
plt.show()
