"""Move in from WooCommerce: its product CSV, its order history (stage 1: the neutral side)."""
