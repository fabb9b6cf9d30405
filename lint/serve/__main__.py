"""`python -m lint.serve [options]`: the same as `shoplint serve`."""
from lint.serve.cli import serve

if __name__ == "__main__":
    serve(prog_name="shoplint serve")
