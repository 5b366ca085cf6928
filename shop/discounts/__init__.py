"""Discount codes: percentage or fixed amounts off the cart subtotal, with limits and dates."""
