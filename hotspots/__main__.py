"""``python -m hotspots``: the same CLI as the ``hotspots`` console script."""

from hotspots.cli import main

raise SystemExit(main())
