"""
Grid search over layer sizes and epochs
=======================================

The network's settings are parameters of the pipeline's ``classifier`` step,
so :class:`~sklearn.model_selection.GridSearchCV` searches them like any
scikit-learn hyper-parameter. With only ``hidden_layer_sizes`` varying, the
default activations and dropout adapt to the depth.

Over ``epochs``, ``GridSearchCV`` trains every candidate from scratch. The
network after 2 of 4 epochs is the network a 2-epoch fit ends with, so
:class:`~skdigits.EpochGridSearchCV` trains each fold once per layer setting,
to the largest value, and scores it after each smaller value on the way: the
same results for a fraction of the training.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X, y = X[:2000], y[:2000]  # a quick grid: 2,000 digits, 3 folds

pipeline = skdigits.make_digit_pipeline(random_state=0)
param_grid = {
    "classifier__hidden_layer_sizes": [(32,), (128,), (256, 128, 64)],
    "classifier__epochs": [1, 2, 4],
}

start = time.perf_counter()
grid = skdigits.EpochGridSearchCV(pipeline, param_grid, cv=3).fit(X, y)
seconds = time.perf_counter() - start
print("best:", grid.best_params_, f"accuracy {grid.best_score_:.3f}")

# %%
# The same grid through scikit-learn's ``GridSearchCV``, timed in the same run:
# the same scores and the same best candidate, for more training.
start = time.perf_counter()
plain = GridSearchCV(pipeline, param_grid, cv=3).fit(X, y)
plain_seconds = time.perf_counter() - start
difference = np.abs(grid.cv_results_["mean_test_score"] - plain.cv_results_["mean_test_score"])
print(
    f"same best candidate: {grid.best_params_ == plain.best_params_}; "
    f"largest difference of a mean score: {difference.max():.1e}"
)
print(
    f"epochs trained: {grid.epochs_trained_} instead of {grid.epochs_trained_ + grid.epochs_saved_}"
)
print(
    f"EpochGridSearchCV {seconds:.1f} s, GridSearchCV {plain_seconds:.1f} s "
    f"({seconds / plain_seconds:.2f}x), both with the refit of the best"
)

# %%
# The results table, best first. ``mean_fit_time`` of a candidate is its
# share of the shared run: the epochs since the previous value (the first
# share also builds the network).
results = pd.DataFrame(grid.cv_results_)
table = results[
    [
        "param_classifier__hidden_layer_sizes",
        "param_classifier__epochs",
        "mean_test_score",
        "std_test_score",
        "mean_fit_time",
        "rank_test_score",
    ]
].sort_values("rank_test_score")
print(table.to_string(index=False))

# %%
# Mean accuracy as a heatmap: layer sizes against epochs.
heat = results.pivot_table(
    index=results["param_classifier__hidden_layer_sizes"].astype(str),
    columns="param_classifier__epochs",
    values="mean_test_score",
)
fig, ax = plt.subplots(figsize=(5, 3))
image = ax.imshow(heat.to_numpy(), cmap="viridis")
ax.set_xticks(range(heat.shape[1]), labels=heat.columns)
ax.set_yticks(range(heat.shape[0]), labels=heat.index)
ax.set_xlabel("epochs")
ax.set_ylabel("hidden_layer_sizes")
for (i, j), value in pd.DataFrame(heat.to_numpy()).stack().items():
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="white")
fig.colorbar(image, ax=ax, label="mean CV accuracy")
plt.show()
