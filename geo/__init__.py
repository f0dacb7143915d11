"""Where things are: CRS, official Helsinki districts, incident import, store, demo data."""
