"""The dock panels around the canvas: palette, inspector, variables, diagnostics,
code, summary, plus the presets gallery and compare dialogs."""
