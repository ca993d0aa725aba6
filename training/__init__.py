"""Loading data, training, evaluating, reporting and retraining yunmao models."""
