"""``python -m boto_session_manager`` is the ``bsm`` command."""

import sys

from .cli import main

sys.exit(main())
