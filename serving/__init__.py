"""The real-time interception service (BentoML)."""
