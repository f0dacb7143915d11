"""``python -m cli``: the same command line as the ``hotspots`` console script."""

from cli.main import main

raise SystemExit(main())
