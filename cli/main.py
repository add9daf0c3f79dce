"""`llm-rnn`: run LLM-as-RNN, evaluate methods, optimize prompts and tune structure from the command line."""

from __future__ import annotations

import argparse
import sys

from llm_as_rnn.cli.common import USER_ERRORS, configure_environment, configure_logging


def build_parser() -> argparse.ArgumentParser:
    from llm_as_rnn import __version__
    from llm_as_rnn.cli import doctor, evaluate, optimize, run, tune

    parser = argparse.ArgumentParser(prog="llm-rnn", description=__doc__)
    parser.add_argument("--version", action="version", version=f"llm-rnn {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="{run,evaluate,optimize,tune,doctor}")
    for verb in (run, evaluate, optimize, tune, doctor):
        verb.add_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.handler(args) or 0
    except USER_ERRORS as exc:
        print(f"llm-rnn {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"llm-rnn {args.verb}: interrupted; finished sequences are in the trace", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
