"""Where a built graph lives: the store interface and the pyoxigraph back-end."""
