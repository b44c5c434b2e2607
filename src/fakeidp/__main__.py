"""``python -m fakeidp``: the ``fakeidp`` command."""

import sys

from .cli import main

sys.exit(main())
