"""``python -m bench``: the speed benchmark (see bench/run.py)."""
from bench.run import main

raise SystemExit(main())
