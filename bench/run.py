"""`python3 tasks.py bench [SECTION...]`: run the benchmarks and print their tables."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
