"""The `stepwise` command line (not deployed: the Lambda bundle is app.py + chalicelib)."""
