"""Granian taken from the peers' environment to serve our app with the project's own packages:
`python -m bench.peers.borrowed_granian SITE_PACKAGES GRANIAN_ARGUMENT...`."""

from __future__ import annotations

import sys


def main() -> int:
    """The peers' site-packages go after the project's: only Granian, which the project does
    not have, comes from there; everything our app imports is the project's own."""
    site_packages, *arguments = sys.argv[1:]
    sys.path.append(site_packages)
    from granian import cli

    sys.argv = ["granian", *arguments]
    cli.entrypoint()
    return 0


if __name__ == "__main__":
    sys.exit(main())
