"""`llm-rnn tune`: an Optuna study over memory budget and structure, with DSPy optimizers inside trials."""

from __future__ import annotations

import argparse
import json

from llm_as_rnn.cli.common import (
    add_backbone_arguments,
    add_data_options,
    build_prompt_lm,
    build_roles,
    build_task,
    check_output_folder,
    non_negative_int,
    positive_int,
)
from llm_as_rnn.cli.common import console as make_console

DESCRIPTION = """Search the memory token budget, the memory sections, the feedback mode, the update policy (rewrite,
delta, gated), fused vs separate critique, raw recent steps beside the memory, and the DSPy optimizer with its
budget, by the dev split's mean step reward (or, with --multi-objective, reward and prompt tokens per step: a Pareto
front). Storage: an SQLite file by default or any Optuna RDB URL (postgresql://...) so many workers share one study;
start the same command on more machines to add workers. A killed study resumes: rerun the command."""


def add_parser(verbs: argparse._SubParsersAction) -> None:
    from llm_as_rnn.optimize import OPTIMIZERS
    from llm_as_rnn.optimize.tune import BUDGETS
    from llm_as_rnn.tasks.registry import TASKS

    parser = verbs.add_parser("tune", help="Optuna study over budget and structure", description=DESCRIPTION)
    parser.add_argument("--task", default="weather", choices=sorted(TASKS), help="the dataset")
    add_data_options(parser.add_argument_group("task data"))
    parser.add_argument("--trials", type=positive_int, default=12, help="trials to finish in total (all workers)")
    parser.add_argument("--study", help="study name (default: <task>-llm-as-rnn[-mo])")
    parser.add_argument("--storage", help="Optuna storage URL (default: sqlite:///<out>/study.db)")
    parser.add_argument("--multi-objective", action="store_true", help="dev reward x prompt tokens per step")
    parser.add_argument("--optimizers", default="none,gepa",
                        help=f"DSPy optimizers to search, comma-separated from none,{','.join(OPTIMIZERS)}")
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)), help="memory budgets to search (tokens)")
    parser.add_argument("--prompt-backbone", help="proposal/reflection model for the optimizers")
    parser.add_argument("--program", action="append", default=[], metavar="PATH",
                        help="a saved program (from optimize/tune) to start from: enqueued as a trial that "
                             "evaluates it as saved, so the study shows whether the search beats it; repeatable")
    data = parser.add_argument_group("data")
    data.add_argument("--train-episodes", type=positive_int, default=3,
                      help="train sequences (for an optimizer inside a trial)")
    data.add_argument("--dev-episodes", type=positive_int, default=3, help="dev sequences (each trial's score)")
    data.add_argument("--steps", type=positive_int, default=4, help="steps per sequence")
    add_backbone_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seeds the controls and the sampler")
    parser.add_argument("--worker", type=non_negative_int, default=0,
                        help="this worker's index: give each of several workers its own (the sampler's seed offset)")
    parser.add_argument("--heartbeat", type=positive_int, default=60, help="seconds between trial heartbeats")
    parser.add_argument("--grace", type=positive_int, default=180,
                        help="seconds without heartbeat before a trial counts as dead and is retried")
    parser.add_argument("--out", help="folder for trial programs, plots and the summary (default: runs/tune-<study>)")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    from pathlib import Path

    import dspy

    from llm_as_rnn.cli.common import UsageError
    from llm_as_rnn.optimize.tune import (
        STARTUP_TRIALS,
        StructureSearch,
        make_storage,
        safe_url,
        starting_point,
    )
    from llm_as_rnn.reports.study import trials_markdown, write_study_plots
    from llm_as_rnn.utils.redact import redact

    console = make_console()
    try:
        budgets = tuple(int(b) for b in args.budgets.split(",") if b.strip())
    except ValueError:
        raise UsageError(f"--budgets must be integers, got {args.budgets!r}") from None
    study_name = args.study or f"{args.task}-llm-as-rnn{'-mo' if args.multi_objective else ''}"
    out = check_output_folder(args.out or f"runs/tune-{study_name}")
    storage = args.storage or f"sqlite:///{(out / 'study.db').resolve()}"
    make_storage(storage, heartbeat_interval=args.heartbeat, grace_period=args.grace)  # before any backbone call
    task = build_task(args, args.task)
    optimizers = tuple(o.strip() for o in args.optimizers.split(",") if o.strip())
    for path in args.program:  # checked before any backbone is loaded
        starting_point(Path(path), task, optimizers, budgets)
    roles = build_roles(args)
    dspy.configure(lm=roles.predictor)
    prompt_lm = build_prompt_lm(args)
    search = StructureSearch(
        task=task, roles=roles, storage_url=storage, study_name=study_name, out=out,
        train_episodes=args.train_episodes, dev_episodes=args.dev_episodes, steps=args.steps,
        multi_objective=args.multi_objective, optimizers=optimizers,
        budgets=budgets, prompt_lm=prompt_lm, seed=args.seed,
        worker=args.worker,
        heartbeat_interval=args.heartbeat, grace_period=args.grace, start_from=tuple(args.program))

    def report(study, trial):
        values = trial.values if trial.values else trial.state.name.lower()
        console.print(f"trial {trial.number}: {values} {trial.params}")

    if args.trials <= STARTUP_TRIALS:
        console.print(f"note: TPE samples its first {STARTUP_TRIALS} trials at random; with --trials {args.trials} "
                      "this study is a random search (plus any --program start points)", markup=False)
    study = search.run(args.trials, on_trial=report)
    summary = search.export(study)
    summary["plots"] = [str(p) for p in write_study_plots(study, out / "plots", multi_objective=args.multi_objective)]
    (out / "tune.json").write_text(redact(json.dumps(summary, indent=2, default=str)), encoding="utf-8")
    (out / "trials.md").write_text(redact(trials_markdown(summary["every_trial"])), encoding="utf-8")
    console.print(json.dumps({k: v for k, v in summary.items() if k != "every_trial"}, indent=2, default=str))
    console.print(trials_markdown(summary["every_trial"]), markup=False, soft_wrap=True)
    console.print(f"dashboard: optuna-dashboard {safe_url(storage)}")
    return 0
