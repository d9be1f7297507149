"""``python -m flowsim``: the same command line as ``flowsim``."""

import sys

from flowsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
