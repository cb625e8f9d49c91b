"""skdigits.exceptions: every warning and error it defines is public."""

import inspect

from skdigits import exceptions


def test_every_warning_and_error_is_in_all():
    defined = {
        name
        for name, value in vars(exceptions).items()
        if inspect.isclass(value)
        and issubclass(value, Exception)
        and value.__module__ == exceptions.__name__
    }
    assert sorted(exceptions.__all__) == sorted(defined)
    assert exceptions.__all__ == sorted(exceptions.__all__)
