"""
Cross-validation and the confusion matrix
=========================================

``cross_val_score`` estimates accuracy over folds; ``cross_val_predict``
gives an out-of-fold prediction for every digit, which
:class:`~sklearn.metrics.ConfusionMatrixDisplay` turns into a confusion
matrix, raw and normalised by true class.
"""

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import cross_val_predict, cross_val_score

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X, y = X[:3000], y[:3000]
pipe = skdigits.make_digit_pipeline(epochs=5, random_state=0)

scores = cross_val_score(pipe, X, y, cv=3)
print(f"accuracy per fold: {scores.round(3)}, mean {scores.mean():.3f}")

# %%
y_pred = cross_val_predict(pipe, X, y, cv=3)
print(classification_report(y, y_pred, digits=3))

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
ConfusionMatrixDisplay.from_predictions(y, y_pred, ax=axes[0], colorbar=False)
axes[0].set_title("counts")
ConfusionMatrixDisplay.from_predictions(
    y, y_pred, normalize="true", values_format=".2f", ax=axes[1], colorbar=False
)
axes[1].set_title("share of each true digit")
plt.show()

# %%
# ``from_estimator`` works too: skdigits' classifier is a scikit-learn
# classifier (scikeras alone is not one on scikit-learn 1.6 and newer).
fitted = pipe.fit(X[:2000], y[:2000])
ConfusionMatrixDisplay.from_estimator(fitted, X[2000:], y[2000:])
plt.show()
