"""Shadow evidence: champion vs challenger on live traffic (``yunmao shadow report``) and the
two-phase promotion gates of ``yunmao promote`` that read it."""
