"""
Early stopping on a held-out split
==================================

``DigitClassifier(early_stopping=True)`` works as
:class:`~sklearn.neural_network.MLPClassifier`'s early stopping does: it holds
out ``validation_fraction`` of the training digits (a stratified split drawn
from ``random_state``), scores that split after each epoch, stops once the
score has not improved by more than ``tol`` for ``n_iter_no_change`` epochs,
and keeps the weights of the best epoch. ``epochs`` is then only the most
epochs it may train.
"""

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, stratify=y, random_state=0
)

pipe = skdigits.make_digit_pipeline(
    hidden_layer_sizes=(256,),
    epochs=50,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=5,
    random_state=0,
)
pipe.fit(X_train, y_train)
clf = pipe["classifier"]
print(f"trained {clf.n_iter_} of at most 50 epochs, kept epoch {clf.best_epoch_}")
print(f"held-out accuracy of the kept epoch: {clf.best_validation_score_:.3f}")
print(f"accuracy on the {len(y_test)} test digits: {pipe.score(X_test, y_test):.3f}")

# %%
# The record
# ----------
# ``loss_curve_`` holds the training loss of every epoch and
# ``validation_scores_`` the held-out accuracy, as in ``MLPClassifier``; both
# are ``n_iter_`` long. :func:`~skdigits.plot_history` draws them (with the
# held-out loss, ``history_["val_loss"]``) and marks the epoch whose weights
# were kept. The training stopped once ``n_iter_no_change + 1`` epochs in a
# row had not improved on it by more than ``tol`` (``MLPClassifier`` counts
# the same way).
print(len(clf.loss_curve_), len(clf.validation_scores_), clf.n_iter_)
fig = skdigits.plot_history(pipe)
fig.suptitle("early stopping, patience 5")
plt.show()

# %%
# With a grid search
# ------------------
# Early stopping settles ``epochs`` on part of each training fold, so a search
# need not: give ``epochs`` as the upper bound and search the other
# parameters. Each candidate's fit holds out ``validation_fraction`` of its
# own training fold, never the fold the search scores it on.
# :class:`~sklearn.model_selection.GridSearchCV` and
# :class:`~skdigits.EpochGridSearchCV` fit such candidates the same way (a
# grid over ``epochs`` of early-stopping candidates would only vary the upper
# bound, and ``EpochGridSearchCV`` fits them one by one, with a warning). To
# choose ``epochs`` by cross-validation instead, leave early stopping off and
# search ``epochs`` with ``EpochGridSearchCV``, which trains each fold once to
# the largest value (see :doc:`/model_selection`).
from sklearn.model_selection import GridSearchCV

search = GridSearchCV(
    skdigits.make_digit_pipeline(
        epochs=50, early_stopping=True, n_iter_no_change=5, random_state=0
    ),
    {"classifier__hidden_layer_sizes": [(64,), (256,)]},
    cv=3,
).fit(X_train[:2000], y_train[:2000])
print("best:", search.best_params_, f"cross-validated accuracy {search.best_score_:.3f}")
print(f"the refit of the best stopped after {search.best_estimator_['classifier'].n_iter_} epochs")
