"""`python -m transcribe …`: the same click group as the `transcribe` script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="transcribe")
