"""``python -m nasnb.classroom [--check] SOURCE...``: write (or check) the lesson editions."""

import sys

from nasnb.classroom.editions import main

if __name__ == "__main__":
    sys.exit(main())
