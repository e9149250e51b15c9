"""``python -m normalizer``: the command line, whichever ``normalizer`` script comes first on PATH."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
