"""`python -m steward.collector --server URL --token T`: the collector without Django."""

import sys

from steward.collector.main import main

sys.exit(main())
