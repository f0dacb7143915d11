"""Where things are: CRS, Helsinki's official districts, open data, incident import, demo data.

The bottom layer: ``geo`` imports no other package of this project (and never Streamlit).

Places and reference data

- ``crs``: the three coordinate reference systems, transforms, guessing one from numbers
- ``districts``: the official osa-alue / peruspiiri / suurpiiri layers, tagging points
  with them, land and sea
- ``population``: residents and young residents per district (HSY grid, Paavo areas)
- ``opendata``: the official data sets and where a local copy of each is found
- ``download``: fetching, validating and caching those data sets
- ``wfs``: the publishers' WFS services (request URLs, GET, the GeoJSON answer)
- ``settings``: configuration in one place, overridable by environment variables

Incidents

- ``schema``: the canonical incident table, categories and sources
- ``incidents``: importing a partner's file into the canonical table (the pipeline)
- ``reading``: reading CSV, XLSX, GeoJSON, GeoPackage and Parquet files as they arrive
- ``encoding``: which character encoding a text file is in, told from its bytes
- ``columns``: which column is which (Finnish, Swedish, English names, mappings)
- ``cells``: what a cell says (text, numbers with either decimal mark, flags)
- ``timeparse``: times as people write them, to Europe/Helsinki
- ``categories``: Finnish, Swedish and English labels to canonical categories and sources
- ``coordinates``: a file's coordinates to EPSG:3067 metres (CRS settled, axes checked)
- ``identity``: incident ids (the source's, else a content hash), duplicates, conflicts
- ``rejects``: the rows an import refused, and their CSV

Demo data

- ``demo``: synthetic but realistic incidents over the real districts
- ``demo_profiles``: the places and category profiles the demo draws from

Shared pieces

- ``errors``: the exceptions a person can act on
- ``files``: atomic writes
- ``spreadsheet``: cells made safe to open in a spreadsheet
"""
