"""``yunmao campaigns``: group SMS into campaigns (shared template or contact point), rank them, show them."""
