"""`python -m parley`: the same as the `parley` command."""

import sys

from parley.launcher import main

sys.exit(main())
