"""bench/chain_theory.py: the mean response time of bench/chain.lua's model (and
bench/simpy_chain.py's), computed exactly from its Markov chain, an answer independent of both
simulators.

The state is (q, f, b): q customers waiting for one of the front's 4 threads, f threads doing
their front work (exponential, rate 1 / front mean), b threads waiting for or served by the back
service's one worker (exponential, rate 1 / back mean); f + b <= 4 and q > 0 only when
f + b = 4. The stationary distribution is solved by Gaussian elimination on the balance
equations (banded when the states are ordered by the number in the system, truncated at N far
in the tail), and the mean response time follows from Little's law.

usage: python3 bench/chain_theory.py [rate (0.7)] [front mean (0.5)] [back mean (1.0)]
       [threads (4)] [truncation (600)]"""
import sys


def mean_response(lam, front_mean, back_mean, threads, nmax):
    alpha, mu = 1.0 / front_mean, 1.0 / back_mean
    states = []
    for n in range(nmax + 1):
        held = min(n, threads)
        for f in range(held + 1):
            states.append((n - held, f, held - f))
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    out = [dict() for _ in range(size)]  # out[i][j]: the rate from state i to state j

    def add(i, s, rate):
        if rate > 0:
            j = index[s]
            out[i][j] = out[i].get(j, 0.0) + rate

    for i, (q, f, b) in enumerate(states):
        if q + f + b < nmax:
            add(i, (q, f + 1, b) if f + b < threads else (q + 1, f, b), lam)
        if f:
            add(i, (q, f - 1, b + 1), f * alpha)
        if b:
            add(i, (q - 1, f + 1, b - 1) if q else (0, f, b - 1), mu)
    # Balance: for every state j, sum_i pi_i rate(i, j) = pi_j * (rate out of j). pi_0 = 1 and
    # the equation of state 0 dropped; the matrix left is diagonally dominant by columns, so the
    # elimination needs no pivoting, and it stays within the band.
    rows = [dict() for _ in range(size)]
    rhs = [0.0] * size
    for i in range(size):
        total = sum(out[i].values())
        rows[i][i] = rows[i].get(i, 0.0) - total
        for j, rate in out[i].items():
            if i == 0:
                rhs[j] -= rate
            else:
                rows[j][i] = rows[j].get(i, 0.0) + rate
    band = max(abs(i - r) for r in range(1, size) for i in rows[r])
    for k in range(1, size):
        pivot = rows[k][k]
        for r in range(k + 1, min(size, k + band + 1)):
            factor = rows[r].get(k)
            if factor:
                factor /= pivot
                for c, v in rows[k].items():
                    if c >= k:
                        rows[r][c] = rows[r].get(c, 0.0) - factor * v
                rhs[r] -= factor * rhs[k]
    pi = [0.0] * size
    pi[0] = 1.0
    for k in range(size - 1, 0, -1):
        acc = rhs[k] - sum(v * pi[c] for c, v in rows[k].items() if c > k)
        pi[k] = acc / rows[k][k]
    total = sum(pi)
    in_system = sum(p * sum(s) for p, s in zip(pi, states)) / total
    full = sum(p for p, s in zip(pi, states) if sum(s) == nmax) / total
    return in_system / (lam * (1.0 - full)), full


def main():
    args = [float(a) for a in sys.argv[1:]]
    lam, front_mean, back_mean, threads, nmax = args + [0.7, 0.5, 1.0, 4, 600][len(args):]
    mean, tail = mean_response(lam, front_mean, back_mean, int(threads), int(nmax))
    print("response_mean=%.6f truncated_mass=%.3g" % (mean, tail))


if __name__ == "__main__":
    main()
