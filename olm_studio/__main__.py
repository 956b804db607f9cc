"""``python -m olm_studio [FILE]``: the same as the ``olm-studio`` command."""

from olm_studio.app import main

if __name__ == "__main__":
    raise SystemExit(main())
