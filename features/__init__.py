"""Feature code shared by training and serving: one road from a raw record to model inputs."""
