"""Shared by the script tests' Python checks (run from the project root as
`python3 - RUN_DIR <<PY ... from rows import * ...`): the rows of a run's CSV files, a mean with
its 99% Student t half-width across replications, and a check that prints what failed."""
import csv
import math
import sys

sys.dont_write_bytecode = True

# Student t quantiles, 0.995 (two-sided 99%), for 0..20 degrees of freedom.
T99 = [0, 63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169, 3.106, 3.055,
       3.012, 2.977, 2.947, 2.921, 2.898, 2.878, 2.861, 2.845]


def rows(f):
    """The rows of FILE.csv in the run directory given as the script's first argument."""
    with open(sys.argv[1] + "/" + f + ".csv") as fh:
        return list(csv.DictReader(fh))


def ci(xs):
    """Mean and 99% half-width of xs (at most 21 values)."""
    n = len(xs)
    m = sum(xs) / n
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    return m, T99[n - 1] * s / math.sqrt(n)


def want(what, ok):
    if not ok:
        print("FAIL", what)


def n(r, c):
    return int(r[c])
