"""The model itself: gate table, cell step pairs, sequence loops, Model and Trace, vocabulary,
initialisation and the model file."""
