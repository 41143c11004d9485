"""The yearly offer spreadsheet: its format, and importing it into the catalogue.

A file goes through these steps, one module each:

- ``columns``: the columns, their header words and the words of the choices (the format);
- ``spreadsheet``: reading an XLSX or CSV upload into a ``Table``, and writing the export;
- ``parsing``: the headers to column keys, and each row's cells to field values;
- ``vocabulary``: the taxonomies the cells name, by name, slug or short name;
- ``planning``: rows grouped by provider, checks across rows, what changes;
- ``matching``: the existing offer each row updates, and rows that name one offer twice;
- ``writing``: the plan saved in bulk, in one transaction; ``links``: the offers' links and
  their history, in bulk;
- ``services``: ``offers_import``, which runs the steps and returns an ``ImportReport``
  (``report``: what it did or would do, row by row);
- ``staging``: the upload kept on disk between the admin's dry run and its confirmation;
- ``jobs``: the confirmed import as a background job (django-rq) with its progress.

docs/import-format.md describes the format for the people who fill in the sheets.
"""
