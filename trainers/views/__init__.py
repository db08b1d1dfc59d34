"""The trainers' pages, one module per feature; urls.py imports the modules."""
