"""Entry point for `python transcribe_cli.py …`: the same click group as the `transcribe` script."""

from transcribe.cli import main

if __name__ == "__main__":
    main()
