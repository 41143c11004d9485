"""Public pages of the network."""
