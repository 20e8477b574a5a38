"""`python -m footprint.cli`: the same command as `footprint`."""

from . import main

main()
