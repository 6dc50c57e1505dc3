"""`python -m bench`: the benchmark on its own PostgreSQL database (BENCH_DATABASE_URL, BENCH_CRAS…).

`python -m bench fraicheur` is the freshness step, which the bench runs in a process of its own with the
broker in its environment; `python -m bench export <pk>` runs an export as a worker would, in a process of
its own too (bench.exports). `python -m bench charge --court` is the short load of .ci/run, on a small
database of its own (BENCH_CHARGE_DATABASE_URL).
"""

import os
import sys

import django


def main(argv: list[str]) -> int:
    from bench.dataset import (
        BROKER_VARIABLES,
        DATASET_PARTS,
        SHORT_LOAD_URL,
        database_url,
        django_env,
        import_url,
        requested_parts,
    )

    if argv == ["fraicheur"]:
        # Started by the bench, with the database and the broker in the environment.
        django.setup()
        from bench.freshness import main as freshness

        return freshness()
    if len(argv) == 2 and argv[0] == "export" and argv[1].isdigit():
        # Started by the bench, with the database and a temporary MEDIA_ROOT in the environment.
        django.setup()
        from bench.exports import export_process

        return export_process(int(argv[1]))
    if argv == ["charge", "--court"]:
        for name in BROKER_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(django_env(os.environ.get("BENCH_CHARGE_DATABASE_URL", SHORT_LOAD_URL)))
        django.setup()
        from bench.run import short_load

        return short_load()
    if argv:
        print("Usage : python -m bench [charge --court]", file=sys.stderr)
        return 2
    # The settings read the database and the broker when they load: no broker here (no task is sent).
    for name in BROKER_VARIABLES:
        os.environ.pop(name, None)
    # The import alone needs no dataset: the bench process then reads the import's database only.
    dataset = set(requested_parts() or DATASET_PARTS) & set(DATASET_PARTS)
    os.environ.update(django_env(database_url() if dataset else import_url()))
    django.setup()
    from bench.run import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
