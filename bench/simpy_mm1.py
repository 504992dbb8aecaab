"""bench/simpy_mm1.py: the M/M/1 benchmark of bench/mm1.lua written for SimPy, the reference
for bench/simpy.sh. Poisson arrivals at rho = 0.9 per second, exponential service with mean 1 s,
one server (a Resource of capacity 1), a generator process for the arrivals and a process per
customer; each response time goes into a running mean. The run lasts customers / rho seconds,
as bench/mm1.lua's does.

usage: python3 bench/simpy_mm1.py [customers (default 200000)] [seed (default 1)]
Prints one line of key=value pairs: the customers served and their mean response time (theory:
1 / (1 - rho) = 10 s)."""
import random
import sys

import simpy

RHO = 0.9


class Mean:
    """A running mean of the response times."""

    def __init__(self):
        self.n = 0
        self.mean = 0.0

    def add(self, x):
        self.n += 1
        self.mean += (x - self.mean) / self.n


def customer(env, server, rng, stats):
    arrived = env.now
    with server.request() as req:
        yield req
        yield env.timeout(rng.expovariate(1.0))
    stats.add(env.now - arrived)


def arrivals(env, server, rng, stats):
    while True:
        yield env.timeout(rng.expovariate(RHO))
        env.process(customer(env, server, rng, stats))


def main():
    customers = int(float(sys.argv[1])) if len(sys.argv) > 1 else 200000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    stats = Mean()
    env.process(arrivals(env, server, rng, stats))
    env.run(until=customers / RHO)
    print("customers=%d response_mean=%.6f" % (stats.n, stats.mean))


if __name__ == "__main__":
    main()
