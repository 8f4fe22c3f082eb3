import sys

from lianneng.cli import main

sys.exit(main())
