"""
Learning curves and early stopping
==================================

With ``validation_split`` the classifier records validation loss and
accuracy after each epoch in ``history_``; a Keras ``EarlyStopping`` callback
stops when the validation loss no longer improves and keeps the best weights.
"""

import keras
import matplotlib.pyplot as plt

import skdigits

X, y = skdigits.load_mnist_sample(return_X_y=True)

pipe = skdigits.make_digit_pipeline(epochs=10, validation_split=0.2, random_state=0)
pipe.fit(X, y)
history = pipe["classifier"].history_

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
for key, style in [("loss", "-"), ("val_loss", "--")]:
    ax_loss.plot(history[key], style, label=key)
for key, style in [("accuracy", "-"), ("val_accuracy", "--")]:
    ax_acc.plot(history[key], style, label=key)
ax_loss.set_xlabel("epoch")
ax_acc.set_xlabel("epoch")
ax_loss.legend()
ax_acc.legend()
fig.suptitle("training and validation curves, 10 epochs")
plt.show()

# %%
# Early stopping: stop after two epochs without a better validation loss,
# and restore the best weights.
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
early = skdigits.make_digit_pipeline(
    epochs=20, validation_split=0.2, callbacks=[stop], random_state=0
).fit(X, y)
epochs_run = len(early["classifier"].history_["loss"])
print(f"stopped after {epochs_run} of 20 epochs")
