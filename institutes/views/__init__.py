"""The institutes' pages, one module per feature; urls.py imports the modules."""
