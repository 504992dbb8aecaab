"""bench/simpy_chain.py: the synchronous-chain benchmark of bench/chain.lua written for SimPy, the
reference for bench/simpy.sh. Poisson arrivals at 0.7 per second; a front pool of 4 threads (a
Resource of capacity 4); each customer takes a thread, works on it (exponential, mean 0.5 s),
then, still holding it, waits for the back service's one worker (a Resource of capacity 1) and
is served there (exponential, mean 1 s). A generator process for the arrivals, a process per
customer; each response time goes into a running mean. The run lasts customers / 0.7 seconds, as
bench/chain.lua's does.

usage: python3 bench/simpy_chain.py [customers (default 200000)] [seed (default 1)]
Prints one line of key=value pairs: the customers served and their mean response time (theory:
bench/chain_theory.py)."""
import random
import sys

import simpy

RATE = 0.7
FRONT_MEAN = 0.5
BACK_MEAN = 1.0


class Mean:
    """A running mean of the response times."""

    def __init__(self):
        self.n = 0
        self.mean = 0.0

    def add(self, x):
        self.n += 1
        self.mean += (x - self.mean) / self.n


def customer(env, front, back, rng, stats):
    arrived = env.now
    with front.request() as thread:
        yield thread
        yield env.timeout(rng.expovariate(1.0 / FRONT_MEAN))
        with back.request() as worker:
            yield worker
            yield env.timeout(rng.expovariate(1.0 / BACK_MEAN))
    stats.add(env.now - arrived)


def arrivals(env, front, back, rng, stats):
    while True:
        yield env.timeout(rng.expovariate(RATE))
        env.process(customer(env, front, back, rng, stats))


def main():
    customers = int(float(sys.argv[1])) if len(sys.argv) > 1 else 200000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    env = simpy.Environment()
    front = simpy.Resource(env, capacity=4)
    back = simpy.Resource(env, capacity=1)
    stats = Mean()
    env.process(arrivals(env, front, back, rng, stats))
    env.run(until=customers / RATE)
    print("customers=%d response_mean=%.6f" % (stats.n, stats.mean))


if __name__ == "__main__":
    main()
