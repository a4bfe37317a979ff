"""An offline sample network: member sites served on 127.0.0.1 for `make demo`, tests and bench."""
