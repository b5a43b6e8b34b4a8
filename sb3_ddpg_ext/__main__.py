import sys

from sb3_ddpg_ext.app.cli import main

sys.exit(main())
