"""
Look at what the model does: digits, mistakes, curves and a report
===================================================================

skdigits' plotting functions return matplotlib figures; :func:`skdigits.evaluate`
returns the numbers as a JSON-ready dict, and :func:`skdigits.build_report`
bundles everything into one self-contained HTML page.
"""

import json
import os
import tempfile

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
pipe = skdigits.make_digit_pipeline(epochs=8, validation_split=0.1, random_state=0)
pipe.fit(X_train, y_train)

# %%
# The first test digits with their labels; mistakes are red.
skdigits.plot_digits(X_test[:30], y_test[:30], pipe.predict(X_test[:30]))
plt.show()

# %%
# The most confident mistakes.
skdigits.plot_misclassified(pipe, X_test, y_test, max_digits=15)
plt.show()

# %%
# Learning curves, training and validation.
skdigits.plot_history(pipe)
plt.show()

# %%
# The numbers, and the most-confused pairs as a table.
result = skdigits.evaluate(pipe, X_test, y_test)
print(
    f"accuracy {result['accuracy']:.4f}, log loss {result['log_loss']:.4f}, "
    f"{result['n_parameters']:,} parameters"
)
print(skdigits.most_confused_pairs(y_test, pipe.predict(X_test)))
print(json.dumps(result["per_class"][5]))

# %%
# A self-contained HTML report (and metrics.json) to share.
out = tempfile.mkdtemp()
path = skdigits.build_report(pipe, X_test, y_test, out, dataset="a hold-out of the sample")
print(sorted(os.listdir(out)), f"{os.path.getsize(path) / 1e3:.0f} kB")
