"""olm.generation: sampling text from a trained model, with the key/value cache."""

from olm.generation.filters import apply_filters, top_k_filter, top_p_filter
from olm.generation.sampling import greedy, sample

__all__ = ["apply_filters", "greedy", "sample", "top_k_filter", "top_p_filter"]
