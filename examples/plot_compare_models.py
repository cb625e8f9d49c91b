"""
skdigits against scikit-learn's MLPClassifier and a linear model
================================================================

One :func:`~sklearn.model_selection.cross_validate` table compares the Keras
network with scikit-learn's own dense network (same hidden layers) and a
logistic regression, all behind the same pixel scaling.
"""

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X, y = X[:3000], y[:3000]
hidden = (256, 128, 64)


def scaled(model):
    return make_pipeline(skdigits.PixelScaler(), skdigits.ImageReshaper(), model)


models = {
    "skdigits DigitClassifier": skdigits.make_digit_pipeline(
        hidden_layer_sizes=hidden, epochs=10, random_state=0
    ),
    "sklearn MLPClassifier": scaled(
        MLPClassifier(hidden_layer_sizes=hidden, max_iter=30, random_state=0)
    ),
    "LogisticRegression": scaled(LogisticRegression(max_iter=300)),
}
rows = []
for name, model in models.items():
    result = cross_validate(model, X, y, cv=3)
    rows.append(
        {
            "model": name,
            "mean accuracy": result["test_score"].mean(),
            "std": result["test_score"].std(),
            "fit time (s)": result["fit_time"].mean(),
        }
    )
table = pd.DataFrame(rows).set_index("model")
print(table.round(3).to_string())

# %%
ax = table["mean accuracy"].plot.barh(xerr=table["std"], figsize=(6, 2.5))
ax.set_xlim(0.8, 1.0)
ax.set_xlabel("3-fold CV accuracy on 3,000 MNIST digits")
plt.show()
