"""
The classic Keras MNIST tutorial, the scikit-learn way
======================================================

The well-known "dense network on MNIST" tutorial loads the digits, looks at a
few, divides by 255, reshapes to vectors, one-hot encodes the labels, trains
784 -> 1024 -> 128 -> 64 -> 10 for 10 epochs, evaluates, predicts, takes the
argmax, and hunts for mistakes. Here each of those steps is one call.
"""

# %%
# Load the digits
# ---------------
# :func:`skdigits.load_mnist` returns the same arrays as
# ``keras.datasets.mnist.load_data()`` when full MNIST is on this machine; it
# never downloads here (``download_if_missing=False``). Otherwise we use the
# embedded sample and hold out a fifth of it as a test set.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

import skdigits
from skdigits.datasets import locate_dataset

if locate_dataset("mnist") is not None:
    (X_train, y_train), (X_test, y_test) = skdigits.load_mnist(download_if_missing=False)
    source = "full MNIST"
else:
    X, y = skdigits.load_mnist_sample(return_X_y=True, shuffle=False)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    source = "the embedded sample"
print(source, X_train.shape, X_train.dtype, X_test.shape)

# %%
# Look at a few digits
# --------------------
# Images stay ``(n, 28, 28)`` arrays of pixels 0-255, so ``imshow`` shows them
# as they are. In full MNIST, training element 200 is a 1 and element 500 an
# ambiguous digit labelled 3.
fig, axes = plt.subplots(1, 2, figsize=(5, 2.8))
for ax, element in zip(axes, (200, 500)):
    ax.imshow(X_train[element], cmap="gray_r")
    ax.set_title(f"element {element}: label {y_train[element]}")
    ax.axis("off")
plt.show()

# %%
# Scale and reshape: the first two pipeline steps
# -----------------------------------------------
# The tutorial divides by 255 and reshapes to 784-vectors by hand. The
# pipeline's first two steps do it, as float32, with a single copy.
pixels = skdigits.PixelScaler().fit_transform(X_train[:3])
vectors = skdigits.ImageReshaper().fit_transform(pixels)
print(pixels.min(), pixels.max(), pixels.dtype, vectors.shape)

# %%
# One-hot encoding is handled for you
# -----------------------------------
# ``to_categorical`` exists because a softmax output of 10 units is compared
# with one-hot targets. :class:`skdigits.DigitClassifier` one-hot encodes the
# integer labels inside, and refuses one-hot ``y`` with a message saying to
# pass the labels, so ``predict`` returns labels, like any scikit-learn
# classifier.
#
# Train the reference network
# ---------------------------
# The defaults are the tutorial's network and training settings (Adam,
# categorical cross-entropy, 10 epochs, batch 64, shuffled). To keep this
# example short we train on at most 10,000 digits; the full 60,000 reach
# about 98 % test accuracy.
pipe = skdigits.make_digit_pipeline(random_state=0)
pipe.fit(X_train[:10000], y_train[:10000])
history = pipe["classifier"].history_
print(f"training accuracy after {len(history['accuracy'])} epochs: {history['accuracy'][-1]:.4f}")

# %%
# Evaluate, predict, argmax, accuracy
# -----------------------------------
# ``score`` is the test accuracy. ``predict_proba`` returns the softmax output
# (what Keras' ``predict`` gives); ``predict`` is its argmax mapped to labels.
print(f"test accuracy: {pipe.score(X_test, y_test):.4f}")
proba = pipe.predict_proba(X_test[:5])
print(np.round(proba[0], 3), "-> argmax", proba[0].argmax(), "; predict:", pipe.predict(X_test[:1]))
print("accuracy by hand:", np.mean(pipe.predict(X_test) == y_test))

# %%
# Inspect the mistakes
# --------------------
# In full MNIST, test element 8 is a 5 that networks often read as a 6.
y_pred = pipe.predict(X_test)
mistakes = np.flatnonzero(y_pred != y_test)
print(f"{len(mistakes)} mistakes; test element 8: label {y_test[8]}, predicted {y_pred[8]}")
fig, axes = plt.subplots(1, 6, figsize=(9, 2))
for ax, index in zip(axes, mistakes[:6]):
    ax.imshow(X_test[index], cmap="gray_r")
    ax.set_title(f"#{index}: {y_test[index]} as {y_pred[index]}", fontsize=8)
    ax.axis("off")
plt.show()

# %%
# Save and reload
# ---------------
# :func:`skdigits.save_model` writes the pickle-free ``.skdigits`` format
# atomically; loading it runs no code from the file, and the reloaded
# pipeline predicts the same probabilities.
import os
import tempfile

path = skdigits.save_model(pipe, os.path.join(tempfile.mkdtemp(), "digits.skdigits"))
restored = skdigits.load_model(path)
print(np.allclose(restored.predict_proba(X_test[:100]), pipe.predict_proba(X_test[:100])))
