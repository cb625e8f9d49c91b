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
