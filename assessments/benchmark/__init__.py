"""The global-scale benchmark: a synthetic round seeded in bulk, then measured.

`python manage.py bench` (`make bench`) runs it against its own database; `seed` builds the
round, `measure` takes the figures, `report` prints the table and writes docs/performance.md.
"""

from __future__ import annotations
