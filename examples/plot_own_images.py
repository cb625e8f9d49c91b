"""
Reading digits from your own pictures
=====================================

A picture of a digit — dark ink on light paper, anywhere in the frame, with
uneven light — is not an MNIST digit. :class:`skdigits.DigitImageNormalizer`
makes it one: bright ink on black, scaled into a 20x20 box, centred by centre
of mass in 28x28. Here we draw such pictures from held-out MNIST digits.
"""

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from sklearn.model_selection import train_test_split

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
pipe = skdigits.make_digit_pipeline(random_state=0).fit(X_train, y_train)

rng = np.random.default_rng(0)


def picture(digit):
    """The digit written small, dark on light ruled paper, under a light gradient."""
    size = int(rng.integers(60, 110))
    ink = np.asarray(Image.fromarray(digit).resize((size, size), Image.BICUBIC)) / 255.0
    paper = np.full((220, 260), 230.0) - np.linspace(0, 50, 260)[None, :]
    paper[::30, :] -= 35  # ruled lines
    top, left = rng.integers(0, 220 - size), rng.integers(0, 260 - size)
    paper[top : top + size, left : left + size] *= 1 - 0.75 * ink
    return (paper + rng.normal(0, 3, paper.shape)).clip(0, 255).astype(np.uint8)


pictures = [picture(d) for d in X_test[:8]]
normalized = skdigits.DigitImageNormalizer().transform(pictures)
predicted = pipe.predict(normalized)

# %%
# Top: the pictures. Bottom: what the network sees, with its answer.
fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
for i in range(8):
    axes[0, i].imshow(pictures[i], cmap="gray", vmin=0, vmax=255)
    axes[1, i].imshow(normalized[i], cmap="gray")
    axes[1, i].set_title(f"{predicted[i]} (true {y_test[i]})", fontsize=9)
for ax in axes.ravel():
    ax.axis("off")
plt.show()

# %%
# Accuracy on 200 such pictures, with and without the normaliser.
more = [picture(d) for d in X_test[:200]]
with_normalizer = pipe.score(skdigits.DigitImageNormalizer().transform(more), y_test[:200])
resized_only = pipe.score(
    np.stack([np.asarray(Image.fromarray(p).resize((28, 28))) for p in more]), y_test[:200]
)
print(f"normalised: {with_normalizer:.3f}   merely resized: {resized_only:.3f}")

# %%
# ``make_digit_pipeline(raw_images=True)`` puts the normaliser first, so the
# pipeline takes pictures (paths, PIL images or arrays) directly.
raw = skdigits.make_digit_pipeline(raw_images=True, epochs=3, random_state=0)
raw.fit(X_train[:2000], y_train[:2000])
print(list(raw.named_steps), raw.predict(pictures[:3]))
