"""How certain the forecast is: each assumption across its range (the tornado), the
simulations and the figures that describe them."""
