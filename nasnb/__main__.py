"""``python -m nasnb demo``: see :mod:`nasnb.cli`."""

import sys

from nasnb.cli import main

sys.exit(main())
