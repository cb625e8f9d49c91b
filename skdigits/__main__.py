"""``python -m skdigits``: the same as the ``skdigits`` command."""

import sys

from .cli import main

sys.exit(main())
