"""``python -m cli``: the same command line as the ``hotspots`` console script."""

from cli.entry import main

raise SystemExit(main())
