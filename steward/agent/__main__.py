"""`python -m steward.agent`: the agent without the `steward` command (no Django involved)."""

import sys

from steward.agent.main import main

sys.exit(main())
