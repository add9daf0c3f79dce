"""`llm-rnn optimize`: one DSPy optimizer run that tunes the memory-update instructions, then a held-out test."""

from __future__ import annotations

import argparse
import json

from llm_as_rnn.cli.common import (
    UsageError,
    add_backbone_arguments,
    add_data_options,
    add_program_arguments,
    build_program,
    build_prompt_lm,
    build_roles,
    build_task,
    check_output_folder,
    non_negative_int,
    positive_int,
    run_directory,
    task_options,
)
from llm_as_rnn.cli.common import (
    console as make_console,
)

DESCRIPTION = """Tune instructions of an LLM-as-RNN program with a DSPy optimizer (MIPROv2, GEPA or COPRO): examples
are whole sequences of the train split, the dev split selects and scores, the test split reports the optimized
program against the unoptimized one (paired bootstrap CI). By default only the memory-update step is tuned; the
backbone stays frozen. Saves the compiled program (DSPy JSON + config sidecar) for run/evaluate --program."""


def add_parser(verbs: argparse._SubParsersAction) -> None:
    from llm_as_rnn.optimize import OPTIMIZERS
    from llm_as_rnn.tasks.registry import TASKS

    parser = verbs.add_parser("optimize", help="tune the memory-update instructions", description=DESCRIPTION)
    parser.add_argument("--task", default="weather", choices=sorted(TASKS), help="the dataset")
    add_data_options(parser.add_argument_group("task data"))
    parser.add_argument("--optimizer", default="gepa", choices=sorted(OPTIMIZERS), help="the DSPy optimizer")
    parser.add_argument("--tune", default="updater.update",
                        help="predictors to tune, comma-separated (default: updater.update; also predictor.predict, "
                             "critic.critique)")
    parser.add_argument("--prompt-backbone", help="proposal/reflection model (default: --backbone)")
    data = parser.add_argument_group("data")
    data.add_argument("--train-episodes", type=positive_int, default=4, help="train sequences (proposals)")
    data.add_argument("--dev-episodes", type=positive_int, default=3, help="dev sequences (selection)")
    data.add_argument("--test-episodes", type=non_negative_int, default=5, help="0 skips the held-out comparison")
    data.add_argument("--steps", type=positive_int, default=5, help="steps per sequence")
    budget = parser.add_argument_group("optimizer budget")
    budget.add_argument("--metric-calls", type=positive_int, default=12, help="GEPA: sequence rollouts")
    budget.add_argument("--candidates", type=positive_int, default=3, help="MIPROv2: instruction candidates")
    budget.add_argument("--trials", type=positive_int, default=4, help="MIPROv2: search trials")
    budget.add_argument("--breadth", type=at_least_two, default=2, help="COPRO: candidates per round (>= 2)")
    budget.add_argument("--depth", type=positive_int, default=1, help="COPRO: rounds")
    add_backbone_arguments(parser)
    add_program_arguments(parser)
    parser.add_argument("--out", default="runs", help="directory for run folders (default: runs/)")
    parser.set_defaults(handler=execute)


def at_least_two(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"{value} must be at least 2 (COPRO compares candidates)")
    return value


def optimizer_settings(args: argparse.Namespace) -> dict:
    return {"mipro": {"num_candidates": args.candidates, "num_trials": args.trials},
            "gepa": {"max_metric_calls": args.metric_calls},
            "copro": {"breadth": args.breadth, "depth": args.depth}}[args.optimizer]


def execute(args: argparse.Namespace) -> int:
    import dspy

    from llm_as_rnn.anchors import primary_anchor
    from llm_as_rnn.evaluation.compare import compare_programs
    from llm_as_rnn.optimize import get_optimizer, sequence_examples
    from llm_as_rnn.programs.artifacts import save_program
    from llm_as_rnn.reports.results import table_metrics
    from llm_as_rnn.reports.tables import overall_rows, overall_table

    console = make_console()
    check_output_folder(args.out)
    task = build_task(args, args.task)
    tune = [t.strip() for t in args.tune.split(",") if t.strip()]
    names = [name for name, _ in build_program(args, task, roles=None).named_predictors()]
    unknown = [t for t in tune if t not in names]
    if unknown or not tune:
        raise UsageError(f"--tune {args.tune!r}: {', '.join(unknown) or 'nothing'} is not a predictor of this "
                         f"program; choose from {', '.join(names)}")
    if args.prompt_backbone:
        from llm_as_rnn.backbones.model_string import parse_model_string

        parse_model_string(args.prompt_backbone)
    roles = build_roles(args)
    prompt_lm = build_prompt_lm(args)
    dspy.configure(lm=roles.predictor)
    program = build_program(args, task, roles)
    optimizer = get_optimizer(args.optimizer)(task, tune=tune,
                                              prompt_lm=prompt_lm, seed=program.seed, **optimizer_settings(args))
    train = sequence_examples(task.sequences("train", limit=args.train_episodes, steps=args.steps))
    dev = sequence_examples(task.sequences("dev", limit=args.dev_episodes, steps=args.steps))
    out = run_directory(args.out, "optimize", task.name, args.optimizer)
    console.print(f"{args.optimizer}: tuning {optimizer.tune} on {len(train)} train / {len(dev)} dev sequences "
                  f"of {args.steps} steps ...")
    result = optimizer.compile(program, trainset=train, valset=dev)
    saved = save_program(result.program, out / "program", task_options=task_options(args, task.name),
                         backbones=roles.describe(),
                         optimization=result.summary())
    console.print(f"dev mean step reward: {result.dev_before:.3f} unoptimized -> {result.dev_after:.3f} optimized "
                  f"({result.seconds:.0f} s, LM calls {result.lm_calls})")
    if result.kept_start:
        console.print("no candidate beat the start program on dev: the saved program is the start program")
    for name, text in result.instructions().items():
        console.print(f"[bold]{name}[/bold] instructions:\n{text}\n")
    report = {"optimization": result.summary(), "program": str(saved)}
    if args.test_episodes > 0:
        sequences = task.sequences("test", limit=args.test_episodes, steps=args.steps)
        board = compare_programs(task, {"optimized": result.program, "unoptimized": program}, sequences)
        console.print(overall_table(board, table_metrics(task, board), reference="unoptimized",
                                    title=f"held-out test: {len(sequences)} sequences x {args.steps} steps, "
                                          "mean [95% CI]"))
        report["test"] = overall_rows(board, board.metrics, reference="unoptimized")
        report["test_reference_anchor"] = primary_anchor(task)
    (out / "results.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    console.print(f"program: {saved}\nresults: {out / 'results.json'}")
    return 0

