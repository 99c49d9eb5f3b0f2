"""`python -m desktop`: the desktop app."""

import sys

from desktop.app import main

sys.exit(main())
