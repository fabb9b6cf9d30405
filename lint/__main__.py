from lint.cli import main

# guarded: a LocalCluster's worker processes (spawned) import this module again
if __name__ == "__main__":
    main()
