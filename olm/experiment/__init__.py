"""olm.experiment: honest comparisons of models (equal compute, several seeds, intervals)
and scaling curves.

``olm compare`` and ``olm sweep`` are thin command lines over this package:
:mod:`olm.experiment.stats` (t intervals, paired and Welch differences, verdicts),
:mod:`olm.experiment.scaling` (the power-law fit), :mod:`olm.experiment.plan` (sizes and
compute under one budget, from the trial-scale rules), :mod:`olm.experiment.runner`
(training each planned run and collecting what it actually used).
"""
