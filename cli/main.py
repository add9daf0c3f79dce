"""`llm-rnn`: run LLM-as-RNN, evaluate methods, optimize prompts and tune structure from the command line."""

from __future__ import annotations

import argparse
import sys

from llm_as_rnn.cli.common import USER_ERRORS, DefaultsHelpFormatter, configure_environment, configure_logging


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line naming it (and where to read more), not the whole usage; every
    option's help shows its default."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from llm_as_rnn import __version__
    from llm_as_rnn.cli import doctor, evaluate, optimize, run, tune

    parser = OneLineErrorParser(prog="llm-rnn", description=__doc__)
    parser.add_argument("--version", action="version", version=f"llm-rnn {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="{run,evaluate,optimize,tune,doctor}",
                                  parser_class=OneLineErrorParser)
    for verb in (run, evaluate, optimize, tune, doctor):
        verb.add_parser(verbs)
    for sub in verbs.choices.values():  # `-v` works after the verb too, and adds to one given before it
        sub.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="-v info, -vv debug")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one verb behind one exception boundary: a user error is one line and exit code 2; an internal error is
    one line naming a log file that holds the traceback, exit code 1. Everything printed or logged is redacted."""
    from llm_as_rnn.utils.redact import redact, register_secrets, secrets_in_arguments

    argv = list(sys.argv[1:] if argv is None else argv)
    configure_environment()
    register_secrets(secrets_in_arguments(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv  # for the provenance of written results
    configure_logging(args.verbose)
    try:
        return args.handler(args) or 0
    except USER_ERRORS as exc:
        print(redact(f"llm-rnn {args.verb}: error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"llm-rnn {args.verb}: interrupted; finished sequences are in the trace", file=sys.stderr)
        return 130
    except Exception as exc:  # the boundary: never a raw traceback (it may quote a key) on the terminal
        log = write_error_log(args.verb, exc)
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(redact(f"llm-rnn {args.verb}: internal error: {type(exc).__name__}: {first}\n"
                     f"the full traceback is in {log}; please report it"), file=sys.stderr)
        return 1


def write_error_log(verb: str, exc: BaseException) -> str:
    """The redacted traceback of an internal error, in a file the one-line message names."""
    import tempfile
    import traceback
    from datetime import datetime
    from pathlib import Path

    from llm_as_rnn.utils.redact import redact

    folder = Path(tempfile.gettempdir()) / "llm-rnn-errors"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now():%Y%m%d-%H%M%S}-{verb}.log"
    path.write_text(redact("".join(traceback.format_exception(exc))), encoding="utf-8")
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
