"""The bundle's one executable: the Studio, or the `olm` command line with ``--olm``.

With ``--olm-checks`` it is the Studio's check process (``olm_studio.checker.server``, see
``olm_studio.checker.client``): a frozen app has no Python to run ``-m`` with.

``olm-studio --olm train ...`` runs exactly what ``olm train ...`` runs in a pip install;
the Studio's training child uses it (see ``olm_studio.training.runner.olm_command``), and
the ``olm`` script beside the executable is a shortcut for it. The choice is made before
Qt is imported, so the command line never loads Qt.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if not any(os.environ.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
        os.environ["LC_CTYPE"] = "C.UTF-8"  # `env -i`: Qt and Python both want UTF-8
    if len(sys.argv) > 1 and sys.argv[1] == "--olm":
        from olm.cli.main import main as olm_main

        sys.argv = ["olm", *sys.argv[2:]]
        raise SystemExit(olm_main(sys.argv[1:]))
    if len(sys.argv) > 1 and sys.argv[1] == "--olm-checks":
        from olm_studio.checker.server import main as serve_checks

        raise SystemExit(serve_checks())
    from olm_studio.app import main

    raise SystemExit(main())
