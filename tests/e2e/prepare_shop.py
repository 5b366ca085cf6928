"""Prepare a fresh shop database for the browser tests, in one process (one import, not five).

Runs ``shop db init`` and ``shop db seed-demo``, then, when the CLI has them, the demo event
history (``shop recommender seed-demo`` or ``shop events seed-demo``) and ``shop recommender
train``. The database, instance folder and model folder come from the environment
(DATABASE_URL, INSTANCE_PATH, MODEL_DIR). Prints each command run; exits non-zero on failure.
"""

from __future__ import annotations

import re
import sys

# (group, candidate sub-commands: the first one that exists is run)
OPTIONAL_STEPS = [
    ("events", ("seed-demo",)),
    ("recommender", ("seed-demo",)),
    ("recommender", ("train",)),
]


def _commands(help_text: str) -> set[str]:
    """The sub-command names listed under 'Commands:' in a click help text."""
    names, in_commands = set(), False
    for line in help_text.splitlines():
        if line.strip() == "Commands:":
            in_commands = True
        elif in_commands and (match := re.match(r"\s{2}(\S+)", line)):
            names.add(match.group(1))
    return names


def main() -> int:
    from shop.cli import main as shop
    from shop.factory import create_app

    runner = create_app().test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(shop, list(args))
        if result.exit_code != 0:
            print(f"`shop {' '.join(args)}` failed ({result.exit_code}):\n{result.output}",
                  file=sys.stderr)
            if result.exc_info and not isinstance(result.exception, SystemExit):
                import traceback

                traceback.print_exception(*result.exc_info, file=sys.stderr)
            raise SystemExit(1)
        if args[-1] != "--help":
            print(f"$ shop {' '.join(args)}\n{result.output.strip()}")
        return result.output

    run("db", "init")
    run("db", "seed-demo")
    top = _commands(run("--help"))
    seeded_events = False
    for group, candidates in OPTIONAL_STEPS:
        if group not in top:
            continue
        available = _commands(run(group, "--help"))
        for name in candidates:
            if name in available and not (name == "seed-demo" and seeded_events):
                run(group, name)
                seeded_events = seeded_events or name == "seed-demo"
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
