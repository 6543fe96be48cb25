import sys

from connect_support.cli import main

sys.exit(main())
