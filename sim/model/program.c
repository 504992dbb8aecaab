/* program: the builders of endpoint programs (model.h) and their verifier; see program.h. */
#include "model/program.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/broker.h"
#include "model/engine.h"

void sim_endpoint_fini(sim_endpoint *ep)
{
    for (uint32_t i = 0; i < ep->nops; i++) {
        sim_dist_free(ep->ops[i].dist);
        sim_free(ep->ops[i].targets);
        sim_free(ep->ops[i].cum);
        if (ep->ops[i].key)
            sim_free(ep->ops[i].key->cum);
        sim_free(ep->ops[i].key);
    }
    sim_free(ep->ops);
    for (uint32_t i = 0; i < ep->nretries; i++) {
        sim_breaker_fini(&ep->retries[i].brk);
        if (ep->retries[i].bh) {
            sim_waitq_fini(&ep->retries[i].bh->q);
            sim_free(ep->retries[i].bh);
        }
    }
    sim_free(ep->retries);
    sim_free(ep->name);
}

int sim_endpoint_add(sim_engine *e, uint32_t service, const char *name, uint32_t *index)
{
    if (e->ran)
        return SIM_ESTATE;
    if (service >= e->nsvcs || !name)
        return SIM_EINVAL;
    sim_service *s = &e->svcs[service];
    if (sim_grow((void **)&s->eps, s->neps, sizeof *s->eps) != 0)
        return SIM_ENOMEM;
    sim_endpoint *ep = &s->eps[s->neps];
    memset(ep, 0, sizeof *ep);
    if (!(ep->name = sim_strdup(name)))
        return SIM_ENOMEM;
    size_t n = strlen(s->name) + strlen(name) + 2;
    char *both = sim_malloc(n);
    if (!both) {
        sim_free(ep->name);
        return SIM_ENOMEM;
    }
    snprintf(both, n, "%s/%s", s->name, name);
    sim_engine_stream(e, &ep->rng_work, "service", both, "work");
    sim_engine_stream(e, &ep->rng_choose, "service", both, "branch");
    sim_free(both);
    if (index)
        *index = s->neps;
    s->neps++;
    return SIM_OK;
}

int sim_endpoint_set_error_rate(sim_engine *e, uint32_t service, uint32_t ep, double p)
{
    if (e->ran)
        return SIM_ESTATE;
    if (service >= e->nsvcs || ep >= e->svcs[service].neps || !(p >= 0 && p <= 1))
        return SIM_EINVAL;
    sim_service *s = &e->svcs[service];
    sim_endpoint *x = &s->eps[ep];
    size_t n = strlen(s->name) + strlen(x->name) + 2;
    char *both = sim_malloc(n);
    if (!both)
        return SIM_ENOMEM;
    snprintf(both, n, "%s/%s", s->name, x->name);
    sim_engine_stream(e, &x->rng_error, "service", both, "error");
    sim_free(both);
    x->error_rate = p;
    return SIM_OK;
}

static sim_endpoint *endpoint_of(sim_engine *e, uint32_t s, uint32_t ep)
{
    if (e->ran || s >= e->nsvcs || ep >= e->svcs[s].neps || e->svcs[s].eps[ep].closed)
        return NULL;
    return &e->svcs[s].eps[ep];
}

/* Appends a zeroed instruction; NULL on a bad endpoint or ENOMEM (*rc says which). */
static sim_op *op_append(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, int *rc)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p) {
        *rc = e->ran ? SIM_ESTATE : SIM_EINVAL;
        return NULL;
    }
    if (sim_grow((void **)&p->ops, p->nops, sizeof *p->ops) != 0) {
        *rc = SIM_ENOMEM;
        return NULL;
    }
    sim_op *op = &p->ops[p->nops++];
    memset(op, 0, sizeof *op);
    op->code = (uint8_t)code;
    op->fail_pc = SIM_PC_NONE;
    *rc = SIM_OK;
    return op;
}

static int op_dist(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, sim_dist *d)
{
    int rc;
    sim_op *op = d ? op_append(e, s, ep, code, &rc) : NULL;
    if (!op) {
        sim_dist_free(d);
        return d ? rc : SIM_EINVAL;
    }
    op->dist = d;
    return SIM_OK;
}

int sim_op_work(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d)
{
    return op_dist(e, s, ep, SIM_OP_WORK, d);
}

int sim_op_sleep(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d)
{
    return op_dist(e, s, ep, SIM_OP_SLEEP, d);
}

int sim_op_io(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d)
{
    return op_dist(e, s, ep, SIM_OP_IO, d);
}

int sim_op_call(sim_engine *e, uint32_t s, uint32_t ep, uint32_t target, uint32_t target_ep,
                bool blocking)
{
    if (target >= e->nsvcs || target_ep >= e->svcs[target].neps)
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_append(e, s, ep, SIM_OP_CALL, &rc);
    if (!op)
        return rc;
    op->target = target;
    op->endpoint = target_ep;
    op->blocking = blocking;
    return SIM_OK;
}

int sim_op_call_retry(sim_engine *e, uint32_t s, uint32_t ep, const sim_retry_config *cfg)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p)
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    if (p->nops == 0 || p->ops[p->nops - 1].code != SIM_OP_CALL || p->ops[p->nops - 1].policy ||
        sim_retry_check(cfg) != SIM_OK)
        return SIM_EINVAL;
    if (sim_grow((void **)&p->retries, p->nretries, sizeof *p->retries) != 0)
        return SIM_ENOMEM;
    sim_retry *r = &p->retries[p->nretries];
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    /* Its own stream, named by the caller's endpoint and the call's rank in it. */
    char key[64];
    snprintf(key, sizeof key, "%s/call%u/retry", p->name, p->nretries);
    sim_engine_stream(e, &r->rng, "service", e->svcs[s].name, key);
    p->ops[p->nops - 1].policy = ++p->nretries;
    return SIM_OK;
}

int sim_op_call_breaker(sim_engine *e, uint32_t s, uint32_t ep, const sim_breaker_config *cfg)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p)
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    const sim_op *op = p->nops ? &p->ops[p->nops - 1] : NULL;
    if (!op || op->code != SIM_OP_CALL || !op->policy || sim_breaker_check(cfg) != SIM_OK)
        return SIM_EINVAL;
    sim_breaker *b = &p->retries[op->policy - 1].brk;
    if (b->on)
        return SIM_EINVAL;
    return sim_breaker_init(b, cfg);
}

int sim_op_call_bulkhead(sim_engine *e, uint32_t s, uint32_t ep, const sim_bulkhead_config *cfg)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p)
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    const sim_op *op = p->nops ? &p->ops[p->nops - 1] : NULL;
    if (!op || op->code != SIM_OP_CALL || !op->policy || sim_bulkhead_check(cfg) != SIM_OK)
        return SIM_EINVAL;
    sim_retry *r = &p->retries[op->policy - 1];
    if (r->bh)
        return SIM_EINVAL;
    r->bh = sim_calloc(1, sizeof *r->bh);
    if (!r->bh)
        return SIM_ENOMEM;
    r->bh->cfg = *cfg;
    sim_waitq_init(&r->bh->q, SIM_WAITQ_FIFO);
    return SIM_OK;
}

int sim_op_publish_timeout(sim_engine *e, uint32_t s, uint32_t ep, double timeout)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p)
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    if (p->nops == 0 || p->ops[p->nops - 1].code != SIM_OP_PUBLISH ||
        p->ops[p->nops - 1].policy || !(timeout > 0) || timeout == INFINITY)
        return SIM_EINVAL;
    if (sim_grow((void **)&p->retries, p->nretries, sizeof *p->retries) != 0)
        return SIM_ENOMEM;
    sim_retry *r = &p->retries[p->nretries];
    memset(r, 0, sizeof *r);   /* a timeout alone: no retries, no stream */
    r->cfg.timeout = timeout;
    p->ops[p->nops - 1].policy = ++p->nretries;
    return SIM_OK;
}

int sim_op_publish(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, bool ack)
{
    if (broker >= e->nbrokers)
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_append(e, s, ep, SIM_OP_PUBLISH, &rc);
    if (!op)
        return rc;
    op->target = broker;
    op->blocking = ack;
    return SIM_OK;
}

/* A 64-bit mix (splitmix64's finalizer): keys 0, 1, 2... spread evenly over the partitions. */
static inline uint64_t key_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

uint64_t sim_key_draw(sim_key *k)
{
    uint64_t i;
    switch ((sim_key_kind)k->kind) {
    case SIM_KEY_CONST:
        return key_mix(k->value);
    case SIM_KEY_UNIFORM:
        i = sim_rng_below(&k->rng, k->n);
        break;
    case SIM_KEY_HOT:   /* key 0 with probability s, else one of the n - 1 others */
        i = sim_rng_uniform(&k->rng) < k->s || k->n == 1 ? 0
                                                         : 1 + sim_rng_below(&k->rng, k->n - 1);
        break;
    default: {   /* Zipf: the first cumulative probability at or above a uniform draw */
        double u = sim_rng_uniform(&k->rng);
        uint32_t lo = 0, hi = k->n - 1;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (k->cum[mid] < u)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo;
        break;
    }
    }
    return key_mix(i + 1);
}

void sim_key_shares(const sim_key *k, uint32_t P, double *share)
{
    if (!k) {   /* round robin */
        for (uint32_t p = 0; p < P; p++)
            share[p] += 1.0 / P;
        return;
    }
    if (k->kind == SIM_KEY_CONST) {
        share[key_mix(k->value) % P] += 1.0;
        return;
    }
    for (uint32_t i = 0; i < k->n; i++) {
        double w = k->kind == SIM_KEY_UNIFORM ? 1.0 / k->n
                   : k->kind == SIM_KEY_HOT   ? (k->n == 1 ? 1.0
                                                 : i == 0 ? k->s
                                                          : (1 - k->s) / (k->n - 1))
                                              : k->cum[i] - (i ? k->cum[i - 1] : 0.0);
        share[key_mix((uint64_t)i + 1) % P] += w;
    }
}

int sim_op_publish_keyed(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, bool ack,
                         const sim_key_config *key)
{
    if (!key)
        return sim_op_publish(e, s, ep, broker, ack);
    if (broker >= e->nbrokers || (unsigned)key->kind > SIM_KEY_HOT ||
        (key->kind != SIM_KEY_CONST && key->n < 1) ||
        (key->kind == SIM_KEY_ZIPF && !(key->s > 0 && key->s < 1e3)) ||
        (key->kind == SIM_KEY_HOT && !(key->s >= 0 && key->s <= 1)))
        return SIM_EINVAL;
    if (e->ran || s >= e->nsvcs || ep >= e->svcs[s].neps)
        return SIM_EINVAL;
    sim_key *k = sim_calloc(1, sizeof *k);
    if (!k)
        return SIM_ENOMEM;
    k->kind = (uint8_t)key->kind;
    k->n = key->n;
    k->s = key->s;
    k->value = key->value;
    if (key->kind == SIM_KEY_ZIPF) {
        k->cum = sim_malloc((size_t)key->n * sizeof *k->cum);
        if (!k->cum) {
            sim_free(k);
            return SIM_ENOMEM;
        }
        double sum = 0;
        for (uint32_t i = 0; i < key->n; i++)
            k->cum[i] = sum += pow((double)(i + 1), -key->s);
        for (uint32_t i = 0; i < key->n; i++)
            k->cum[i] /= sum;
        k->cum[key->n - 1] = 1.0;
    }
    const sim_service *sv = &e->svcs[s];
    const char *bn = e->brokers[broker].name;
    size_t n = strlen(sv->name) + strlen(sv->eps[ep].name) + strlen(bn) + 8;
    char *path = sim_malloc(n);
    if (!path) {
        sim_free(k->cum);
        sim_free(k);
        return SIM_ENOMEM;
    }
    snprintf(path, n, "%s/%s/key", sv->name, sv->eps[ep].name);
    sim_engine_stream(e, &k->rng, "service", path, bn);
    sim_free(path);
    int rc = sim_op_publish(e, s, ep, broker, ack);
    if (rc != SIM_OK) {
        sim_free(k->cum);
        sim_free(k);
        return rc;
    }
    sim_endpoint *x = &e->svcs[s].eps[ep];
    x->ops[x->nops - 1].key = k;
    return SIM_OK;
}

int sim_op_reply(sim_engine *e, uint32_t s, uint32_t ep)
{
    int rc;
    return op_append(e, s, ep, SIM_OP_REPLY, &rc) ? SIM_OK : rc;
}

int sim_op_request(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, uint32_t reply_to,
                   double timeout, bool blocking)
{
    if (broker >= e->nbrokers || e->brokers[broker].cfg.type != SIM_BROKER_QUEUE ||
        (reply_to != UINT32_MAX &&
         (reply_to >= e->nbrokers || reply_to == broker ||
          e->brokers[reply_to].cfg.type != SIM_BROKER_QUEUE)) ||
        !(timeout >= 0 && timeout < INFINITY))
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_append(e, s, ep, SIM_OP_REQUEST, &rc);
    if (!op)
        return rc;
    op->target = broker;
    op->reply_to = reply_to == UINT32_MAX ? 0 : reply_to + 1;
    op->timeout = timeout;
    op->blocking = blocking;
    if (reply_to != UINT32_MAX)
        e->brokers[reply_to].replies = 1;
    return SIM_OK;
}

static sim_op *op_multi(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, uint32_t n,
                        uint32_t ntargets, uint32_t *pc, int *rc)
{
    if (n < 1 || ntargets < n) {
        *rc = SIM_EINVAL;
        return NULL;
    }
    uint32_t *targets = sim_calloc(ntargets, sizeof *targets);
    if (!targets) {
        *rc = SIM_ENOMEM;
        return NULL;
    }
    sim_op *op = op_append(e, s, ep, code, rc);
    if (!op) {
        sim_free(targets);
        return NULL;
    }
    op->n = n;
    op->targets = targets;
    for (uint32_t i = 0; i < ntargets; i++)
        targets[i] = SIM_PC_NONE;   /* unset: the verifier catches a forgotten target */
    if (pc)
        *pc = e->svcs[s].eps[ep].nops - 1;
    return op;
}

int sim_op_fork(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, sim_join join,
                uint32_t quorum, bool blocking, uint32_t *pc)
{
    if (join == SIM_JOIN_ALL)
        quorum = n;
    else if (join == SIM_JOIN_ANY)
        quorum = 1;
    if (quorum < 1 || quorum > n || n == UINT32_MAX)
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_multi(e, s, ep, SIM_OP_FORK, n, n + 1, pc, &rc);
    if (!op)
        return rc;
    op->join = (uint8_t)join;
    op->quorum = quorum;
    op->blocking = blocking;
    return SIM_OK;
}

int sim_op_choose(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, const double *probs,
                  uint32_t *pc)
{
    if (n < 1 || !probs)
        return SIM_EINVAL;
    double total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!(probs[i] >= 0) || probs[i] == INFINITY)
            return SIM_EINVAL;
        total += probs[i];
    }
    if (!(total > 0) || total == INFINITY)
        return SIM_EINVAL;
    double *cum = sim_calloc(n, sizeof *cum);
    if (!cum)
        return SIM_ENOMEM;
    int rc;
    sim_op *op = op_multi(e, s, ep, SIM_OP_CHOOSE, n, n, pc, &rc);
    if (!op) {
        sim_free(cum);
        return rc;
    }
    double acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc += probs[i] / total;
        cum[i] = acc;
    }
    cum[n - 1] = 1.0;
    op->cum = cum;
    return SIM_OK;
}

int sim_op_jump(sim_engine *e, uint32_t s, uint32_t ep, uint32_t *pc)
{
    int rc;
    sim_op *op = op_append(e, s, ep, SIM_OP_JUMP, &rc);
    if (!op)
        return rc;
    op->target = SIM_PC_NONE;
    if (pc)
        *pc = e->svcs[s].eps[ep].nops - 1;
    return SIM_OK;
}

int sim_op_branch_end(sim_engine *e, uint32_t s, uint32_t ep)
{
    int rc;
    return op_append(e, s, ep, SIM_OP_BRANCH_END, &rc) ? SIM_OK : rc;
}

int sim_op_set_target(sim_engine *e, uint32_t s, uint32_t ep, uint32_t pc, uint32_t i,
                      uint32_t target)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p || pc >= p->nops)
        return SIM_EINVAL;
    sim_op *op = &p->ops[pc];
    switch ((sim_opcode)op->code) {
    case SIM_OP_JUMP:
        op->target = target;
        return SIM_OK;
    case SIM_OP_CALL:
    case SIM_OP_REQUEST:
        if (i != 0)
            return SIM_EINVAL;
        op->fail_pc = target;
        return SIM_OK;
    case SIM_OP_FORK:
        if (i > op->n)
            return SIM_EINVAL;
        op->targets[i] = target;
        return SIM_OK;
    case SIM_OP_CHOOSE:
        if (i >= op->n)
            return SIM_EINVAL;
        op->targets[i] = target;
        return SIM_OK;
    default:
        return SIM_EINVAL;
    }
}

uint32_t sim_op_next_pc(const sim_engine *e, uint32_t s, uint32_t ep)
{
    return s < e->nsvcs && ep < e->svcs[s].neps ? e->svcs[s].eps[ep].nops : 0;
}

int sim_op_return(sim_engine *e, uint32_t s, uint32_t ep)
{
    int rc;
    if (!op_append(e, s, ep, SIM_OP_RETURN, &rc))
        return rc;
    e->svcs[s].eps[ep].closed = 1;
    return SIM_OK;
}

/* ---- the verifier ------------------------------------------------------------------- */

#define BAD(...) (snprintf(why, n, __VA_ARGS__), SIM_EMODEL)

/* The address after the structured instruction at pc (a fork's join, a choose's continuation),
 * or SIM_PC_NONE when the layout is broken. depth bounds the walk through nested structures. */
static uint32_t after(const sim_endpoint *ep, uint32_t pc, int depth)
{
    const sim_op *op = &ep->ops[pc];
    if (depth > 10000 || op->n == 0)
        return SIM_PC_NONE;
    if (op->code == SIM_OP_FORK)
        return op->targets[op->n];
    /* A choose: walk the last arm to the jump that ends it. */
    uint32_t j = op->targets[op->n - 1];
    while (j < ep->nops && ep->ops[j].code != SIM_OP_JUMP) {
        uint8_t c = ep->ops[j].code;
        if (c == SIM_OP_FORK || c == SIM_OP_CHOOSE) {
            uint32_t next = after(ep, j, depth + 1);
            if (next == SIM_PC_NONE || next <= j)
                return SIM_PC_NONE;
            j = next;
        } else if (c == SIM_OP_RETURN || c == SIM_OP_BRANCH_END) {
            return SIM_PC_NONE;
        } else {
            j++;
        }
    }
    return j < ep->nops ? j + 1 : SIM_PC_NONE;
}

static int check_structure(const sim_endpoint *ep, uint32_t pc, char *why, size_t n)
{
    const sim_op *op = &ep->ops[pc];
    int fork = op->code == SIM_OP_FORK;
    uint32_t end = after(ep, pc, 0);
    if (end == SIM_PC_NONE || end <= pc || end > ep->nops)
        return BAD("instruction %u: its branches are not laid out in order", pc);
    /* Branches follow the instruction in order, each ending where the next starts. */
    uint32_t prev = pc + 1;
    for (uint32_t i = 0; i < op->n; i++) {
        uint32_t start = op->targets[i], stop = i + 1 < op->n ? op->targets[i + 1] : end;
        if (start != prev || stop <= start)
            return BAD("instruction %u: branch %u starts at %u, expected %u", pc, i, start, prev);
        const sim_op *last = &ep->ops[stop - 1];
        if (fork ? last->code != SIM_OP_BRANCH_END
                 : last->code != SIM_OP_JUMP || last->target != end)
            return BAD("instruction %u: branch %u does not end where the next one starts", pc, i);
        prev = stop;
    }
    if (fork)
        for (uint32_t j = pc + 1; j < end; j++)
            if (ep->ops[j].code == SIM_OP_REPLY)
                return BAD("instruction %u: 'reply' inside a parallel (only the endpoint's own "
                           "steps can answer its caller)", j);
    if (fork && !op->blocking)
        for (uint32_t j = pc + 1; j < end; j++)
            if (ep->ops[j].code == SIM_OP_WORK || ep->ops[j].code == SIM_OP_IO)
                return BAD("instruction %u: '%s' inside a non-blocking parallel (it gives "
                           "its worker up, so it would run on no thread)", j,
                           ep->ops[j].code == SIM_OP_WORK ? "work" : "io");
    return SIM_OK;
}

int sim_program_verify(const sim_endpoint *ep, char *why, size_t n)
{
    if (!ep->closed || ep->nops == 0 || ep->ops[ep->nops - 1].code != SIM_OP_RETURN)
        return BAD("the program does not end with a return");
    for (uint32_t pc = 0; pc < ep->nops; pc++) {
        const sim_op *op = &ep->ops[pc];
        switch ((sim_opcode)op->code) {
        case SIM_OP_WORK:
        case SIM_OP_SLEEP:
        case SIM_OP_IO:
            if (!op->dist)
                return BAD("instruction %u: no duration", pc);
            break;
        case SIM_OP_CALL:
        case SIM_OP_REQUEST:
            if (op->fail_pc != SIM_PC_NONE && (op->fail_pc <= pc || op->fail_pc >= ep->nops))
                return BAD("instruction %u: the failure continuation %u is not ahead", pc,
                           op->fail_pc);
            break;
        case SIM_OP_JUMP:
            if (op->target <= pc || op->target >= ep->nops)
                return BAD("instruction %u: a jump to %u, not ahead", pc, op->target);
            break;
        case SIM_OP_FORK:
        case SIM_OP_CHOOSE: {
            int rc = check_structure(ep, pc, why, n);
            if (rc != SIM_OK)
                return rc;
            break;
        }
        case SIM_OP_BRANCH_END:
        case SIM_OP_RETURN:
        case SIM_OP_PUBLISH:
        case SIM_OP_REPLY:
            break;
        default:
            return BAD("instruction %u: unknown opcode %u", pc, op->code);
        }
    }
    return SIM_OK;
}

static int bad_publish(char *why, size_t n, uint32_t pc)
{
    snprintf(why, n, "instruction %u: a publish to no broker, or to a reply queue", pc);
    return SIM_EMODEL;
}

int sim_programs_verify(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nsvcs; i++)
        for (uint32_t j = 0; j < e->svcs[i].neps; j++) {
            char why[200];
            const sim_endpoint *ep = &e->svcs[i].eps[j];
            int rc = sim_program_verify(ep, why, sizeof why);
            for (uint32_t pc = 0; rc == SIM_OK && pc < ep->nops; pc++)
                if ((ep->ops[pc].code == SIM_OP_PUBLISH || ep->ops[pc].code == SIM_OP_REQUEST) &&
                    (ep->ops[pc].target >= e->nbrokers || e->brokers[ep->ops[pc].target].replies))
                    rc = bad_publish(why, sizeof why, pc);
            if (rc != SIM_OK) {
                sim_engine_fail(e, SIM_EMODEL, "service '%s', endpoint '%s': %s",
                                e->svcs[i].name, e->svcs[i].eps[j].name, why);
                return SIM_EMODEL;
            }
        }
    return SIM_OK;
}
