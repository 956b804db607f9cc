"""The Studio's Experiment view: ``olm compare`` / ``olm sweep`` run as a child process,
their results drawn (dot plot with intervals, scaling curves) and saved as a folder."""


def open_for(window):  # noqa: ANN001, ANN201 - the main window; the dialog
    """Train → Experiment… for ``window`` (the dialog module loads on first use)."""
    from olm_studio.experiment.dialog import open_experiment

    return open_experiment(window)
