"""Sales-office tables, one module per concern; import them here so Django finds them."""
