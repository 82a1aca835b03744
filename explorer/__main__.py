"""``python -m explorer`` is the same as the ``chain-explorer`` command."""

import sys

from explorer.app.cli import main

sys.exit(main())
