"""Journey tests drive the Studio as a person does: menus, keys and the mouse, offscreen."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
