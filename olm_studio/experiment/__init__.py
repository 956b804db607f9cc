"""The Studio's Experiment view: ``olm compare`` / ``olm sweep`` run as a child process,
their results drawn (dot plot with intervals, scaling curves) and saved as a folder."""
