"""News aggregator of the NETZWERK Stadtforen Mitteldeutschland."""

__version__ = "0.1.0"

NETWORK_NAME = "NETZWERK Stadtforen Mitteldeutschland"
CONTACT_URL = "https://www.netzwerk-stadtforen.de/"
USER_AGENT = f"StadtforenAggregator/{__version__} (+{CONTACT_URL}; {NETWORK_NAME})"
