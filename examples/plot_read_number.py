"""
Reading a whole number
======================

People rarely write one digit alone. :func:`skdigits.read_number` reads the
digits of a handwritten number left to right: it finds the line's ink as the
normaliser finds a digit's, cuts it into digits (pieces of one digit joined,
specks and underlines dropped, touching digits cut where the model reads the
whole line best) and reads each digit with the model that ships with
skdigits. Here we write numbers with MNIST sample digits on grey paper.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
rng = np.random.default_rng(0)


def write_number(indices, gaps):
    """Digits ``X[indices]`` side by side, ``gaps`` pixels apart, dark on uneven grey paper."""
    inks = []
    for i in indices:
        rows, cols = np.nonzero(X[i])
        crop = X[i][rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        size = (crop.shape[1] * 3, crop.shape[0] * 3)
        inks.append(np.asarray(Image.fromarray(crop).resize(size, Image.BICUBIC)) / 255)
    height = max(ink.shape[0] for ink in inks)
    width = sum(ink.shape[1] for ink in inks) + sum(gaps) + 80
    canvas = np.zeros((height + 60, width))
    x = 40
    for ink, gap in zip(inks, [*gaps, 0]):
        top = 30 + height - ink.shape[0] + int(rng.integers(-4, 5))
        canvas[top : top + ink.shape[0], x : x + ink.shape[1]] += ink
        x += ink.shape[1] + gap
    paper = 200 - np.linspace(0, 40, canvas.shape[1])[None, :]
    picture = paper * (1 - 0.8 * canvas.clip(0, 1)) + rng.normal(0, 3, canvas.shape)
    return picture.clip(0, 255).astype(np.uint8)


numbers = [
    write_number(range(20, 24), [20, 35, 15]),  # four digits
    write_number(range(10, 15), [18, 150, 20, 12]),  # two groups: "12 345"-like
]
numbers[1][-24:-20, 30:-30] = 40  # a line under the second number

# %%
# Each reading has the text, and for each digit its label, probability,
# runner-up, box in the picture and the 28x28 image the model saw.
readings = [skdigits.read_number(picture) for picture in numbers]
for reading, indices in zip(readings, [range(20, 24), range(10, 15)]):
    print(f"read {reading.text!r} (p={reading.probability:.2f}); written: {y[list(indices)]}")

# %%
# The boxes drawn on each picture, and each digit as the model saw it.
fig, axes = plt.subplots(2, 1, figsize=(8, 4.5))
for ax, picture, reading in zip(axes, numbers, readings):
    ax.imshow(picture, cmap="gray", vmin=0, vmax=255)
    for digit in reading.digits:
        top, left, bottom, right = digit.box
        ax.add_patch(
            Rectangle((left, top), right - left, bottom - top, fill=False, ec="lime", lw=1.5)
        )
        ax.text(left, top - 3, str(digit.digit), color="lime", fontsize=10)
    ax.set_title(f"read: {reading.text}")
    ax.axis("off")
fig.tight_layout()

# %%
# :func:`skdigits.segment_digits` gives the cut digits alone, for any fitted
# pipeline that reads 28x28 MNIST-form digits.
segments = skdigits.segment_digits(numbers[0])
pipe = skdigits.load_pretrained()
print(segments.images.shape, pipe.predict(segments.images))
fig, axes = plt.subplots(1, len(segments), figsize=(1.2 * len(segments), 1.5))
for ax, image in zip(axes, segments.images):
    ax.imshow(image, cmap="gray")
    ax.axis("off")
plt.show()
