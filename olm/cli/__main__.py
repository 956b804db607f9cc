import sys

from olm.cli.main import main

sys.exit(main())
