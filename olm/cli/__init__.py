"""The `olm` command line."""
