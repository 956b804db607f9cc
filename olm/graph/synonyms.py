"""The parameter-name synonym table, as the document layer names it.

The table itself is :mod:`olm.core.synonyms` (components check allowed ranges, which are
given per concept, before they allocate, and may not import ``olm.graph``).
"""

from olm.core.synonyms import (
    CANONICAL,
    SYNONYMS,
    VARIABLE_CONCEPTS,
    concept_of,
    first_value,
    is_size_concept,
    names_for,
)

__all__ = ["SYNONYMS", "VARIABLE_CONCEPTS", "CANONICAL", "concept_of", "names_for",
           "first_value", "is_size_concept"]
