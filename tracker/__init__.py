"""tracker: a command-line companion for patients on recurring injection treatments."""
