"""A ranker that learns from what buyers and suppliers decided (入围/淘汰, responses, invitations, trials).

The learned part re-orders the candidates the engine shows by their named matching features (the channel
values the engine exposes per candidate, its boosts and score), so it keeps working while the channels
themselves change. It is used only when a trained model file says it beat the hand-set weights on newer
labels it never saw; with too few labels (``MIN_LABELS``, ``MIN_QUERIES``) the hand-set order stays.

``ranker`` and ``train`` import scikit-learn; import them where training happens, not on the serving path.
"""

from matcher.learning.labels import Label, store_labels
from matcher.learning.model import MIN_LABELS, MIN_QUERIES, RankerModel, feature_matrix, load_model

__all__ = [
    "MIN_LABELS",
    "MIN_QUERIES",
    "Label",
    "RankerModel",
    "feature_matrix",
    "load_model",
    "store_labels",
]
