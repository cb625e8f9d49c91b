"""
Grid search over layer sizes and epochs
=======================================

The network's settings are parameters of the pipeline's ``classifier`` step,
so :class:`~sklearn.model_selection.GridSearchCV` searches them like any
scikit-learn hyper-parameter. With only ``hidden_layer_sizes`` varying, the
default activations and dropout adapt to the depth.
"""

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X, y = X[:2000], y[:2000]  # a quick grid: 2,000 digits, 3 folds

grid = GridSearchCV(
    skdigits.make_digit_pipeline(random_state=0),
    {
        "classifier__hidden_layer_sizes": [(32,), (128,), (256, 128, 64)],
        "classifier__epochs": [2, 5],
    },
    cv=3,
)
grid.fit(X, y)
print("best:", grid.best_params_, f"accuracy {grid.best_score_:.3f}")

# %%
# The results table, best first.
results = pd.DataFrame(grid.cv_results_)
table = results[
    ["param_classifier__hidden_layer_sizes", "param_classifier__epochs",
     "mean_test_score", "std_test_score", "mean_fit_time", "rank_test_score"]
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
