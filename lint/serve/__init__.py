"""`shoplint serve`: the upload portal (issue 7). Needs the `serve` extra:
`pip install 'shoplint[serve]'` (FastAPI, uvicorn, python-multipart)."""
