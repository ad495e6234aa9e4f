"""Learning: optimisers, the character-model trainer, corpora and the memory experiments."""
