/* service: requests at service instances — arrival, the waiting room (FIFO, LIFO, priority),
 * workers, the endpoint-program interpreter (work, sleep, call, fork/join, choose), replies to
 * callers, load balancing across replicas, and request lifetimes.
 *
 * Lifetimes: a request holds one reference for its own life plus one per child (call or fiber)
 * that points back at it, so a caller outlives its callees and a client request is freed last
 * in its tree; the moment it is freed is the request's completion time. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/internal.h"

static void exec(sim_engine *e, sim_req *r);
static void finish(sim_engine *e, sim_req *r, sim_outcome out);
static void fiber_end(sim_engine *e, sim_req *r, sim_outcome out);

/* ---- requests ----------------------------------------------------------------------- */

sim_req *sim_req_new(sim_engine *e, sim_req_kind kind, sim_req *parent)
{
    sim_req *r = sim_pool_get(&e->reqs);
    if (!r) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for requests");
        return NULL;
    }
    /* Field by field rather than memset: this is on the hot path, and the fields left out
     * (queue links, timestamps of later stages, fork state) are set before they are read. */
    r->qnext = NULL;
    r->state = REQ_RUNNING;
    r->kind = (uint8_t)kind;
    r->outcome = OUT_NONE;
    r->holds_worker = r->resume = r->join_done = r->counted = 0;
    r->pc = 0;
    r->refs = 1;
    r->fork_live = r->fork_ok = r->fork_fail = 0;
    r->user = 0;
    r->id = e->next_id++;
    r->t_created = e->now;
    r->parent = parent;
    r->timer = NULL;
    r->client = NULL;
    if (parent) {
        parent->refs++;
        r->root = parent->root;
        r->root_id = parent->root_id;
        r->priority = parent->priority;
        r->inst = parent->inst;
        r->ep = parent->ep;
    } else {
        r->root = r;
        r->root_id = r->id;
        r->priority = 0;
        r->inst = NULL;
        r->ep = NULL;
    }
    return r;
}

void sim_req_release(sim_engine *e, sim_req *r)
{
    while (r && --r->refs == 0) {
        sim_req *parent = r->parent;
        if (r->kind == KIND_ROOT)
            sim_client_release(e, r);
        r->state = REQ_FREE;
        sim_pool_put(&e->reqs, r);
        r = parent;
    }
}

/* ---- the waiting room --------------------------------------------------------------- */

static int prio_before(const sim_req *x, const sim_req *y)
{
    return x->priority > y->priority || (x->priority == y->priority && x->qseq < y->qseq);
}

static int queue_push(sim_engine *e, sim_instance *in, sim_req *r)
{
    sim_queue *q = &in->q;
    switch (in->svc->cfg.discipline) {
    case SIM_DISC_FIFO:
        r->qnext = NULL;
        if (q->tail)
            q->tail->qnext = r;
        else
            q->head = r;
        q->tail = r;
        break;
    case SIM_DISC_LIFO:
        r->qnext = q->head;
        q->head = r;
        if (!q->tail)
            q->tail = r;
        break;
    case SIM_DISC_PRIORITY: {
        if (q->n == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 16;
            sim_req **h = sim_realloc(q->heap, cap * sizeof *h);
            if (!h) {
                sim_engine_fail(e, SIM_ENOMEM, "out of memory for a priority queue");
                return SIM_ENOMEM;
            }
            q->heap = h;
            q->cap = cap;
        }
        r->qseq = e->qseq++;
        size_t i = q->n;
        while (i > 0 && prio_before(r, q->heap[(i - 1) / 2])) {
            q->heap[i] = q->heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        q->heap[i] = r;
        q->n++;
        return SIM_OK;
    }
    }
    q->n++;
    return SIM_OK;
}

static sim_req *queue_pop(sim_instance *in)
{
    sim_queue *q = &in->q;
    if (q->n == 0)
        return NULL;
    sim_req *r;
    if (in->svc->cfg.discipline != SIM_DISC_PRIORITY) {
        r = q->head;
        q->head = r->qnext;
        if (!q->head)
            q->tail = NULL;
        r->qnext = NULL;
        q->n--;
        return r;
    }
    r = q->heap[0];
    sim_req *last = q->heap[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t l = 2 * i + 1, m;
        if (l >= n)
            break;
        m = (l + 1 < n && prio_before(q->heap[l + 1], q->heap[l])) ? l + 1 : l;
        if (!prio_before(q->heap[m], last))
            break;
        q->heap[i] = q->heap[m];
        i = m;
    }
    if (n)
        q->heap[i] = last;
    return r;
}

/* ---- workers ------------------------------------------------------------------------ */

static inline void set_busy(sim_engine *e, sim_service *s, int delta)
{
    s->busy = (uint32_t)((int)s->busy + delta);
    sim_tw_set(&s->tw_busy, e->now, s->busy);
}

static inline void set_queued(sim_engine *e, sim_service *s, int delta)
{
    s->queued = (uint32_t)((int)s->queued + delta);
    sim_tw_set(&s->tw_queue, e->now, s->queued);
}

static void take_worker(sim_engine *e, sim_req *r)
{
    r->inst->busy++;
    r->holds_worker = 1;
    set_busy(e, r->inst->svc, +1);
}

/* A new request gets a worker: waiting time ends and its program starts. */
static void start(sim_engine *e, sim_req *r)
{
    sim_service *s = r->inst->svc;
    take_worker(e, r);
    double w = e->now - r->t_arrived;
    sim_hist_add(&s->wait_hist, w);
    r->state = REQ_RUNNING;
    r->pc = 0;
    exec(e, r);
}

/* Hands free workers to waiting requests. Re-entrant calls (a request that finishes at once and
 * releases its worker while we are dispatching) return at once; the outer loop goes on. */
static void dispatch(sim_engine *e, sim_instance *in)
{
    if (in->dispatching)
        return;
    in->dispatching = 1;
    while (in->busy < in->svc->cfg.workers && in->q.n > 0) {
        sim_req *r = queue_pop(in);
        set_queued(e, in->svc, -1);
        if (r->resume) {
            r->resume = 0;
            take_worker(e, r);
            exec(e, r);
        } else {
            start(e, r);
        }
    }
    in->dispatching = 0;
}

static void release_worker(sim_engine *e, sim_req *r)
{
    if (!r->holds_worker)
        return;
    r->holds_worker = 0;
    r->inst->busy--;
    set_busy(e, r->inst->svc, -1);
    dispatch(e, r->inst);
}

/* A request that gave its worker up (non-blocking call, sleep) wants it back to go on. Resumed
 * requests are already admitted, so the queue's capacity does not apply to them. */
static void reacquire(sim_engine *e, sim_req *r)
{
    sim_instance *in = r->inst;
    if (in->busy < in->svc->cfg.workers) {
        take_worker(e, r);
        exec(e, r);
        return;
    }
    r->resume = 1;
    if (queue_push(e, in, r) == SIM_OK)
        set_queued(e, in->svc, +1);
}

/* Goes on after a wait: CALL requests that let their worker go get it back first. */
static void proceed(sim_engine *e, sim_req *r)
{
    if (r->kind == KIND_CALL && !r->holds_worker)
        reacquire(e, r);
    else
        exec(e, r);
}

/* ---- arrival ------------------------------------------------------------------------ */

static uint32_t node_of(const sim_req *r)
{
    return r->kind == KIND_ROOT ? r->client->node : r->inst->node;
}

static void on_reply(sim_engine *e, sim_event *ev);

static void send_reply(sim_engine *e, sim_req *r)
{
    r->state = REQ_REPLYING;
    r->inst->outstanding--;
    sim_engine_hop(e, r->inst->node, node_of(r->parent), on_reply, r);
}

static void deliver(sim_engine *e, sim_req *r)
{
    sim_instance *in = r->inst;
    sim_service *s = in->svc;
    s->all.arrivals++;
    s->win.arrivals++;
    s->tick.arrivals++;
    r->t_arrived = e->now;
    if (in->busy < s->cfg.workers) {
        s->in_flight++;
        start(e, r);
        return;
    }
    if (s->cfg.queue < 0 || in->q.n < (size_t)s->cfg.queue) {
        if (queue_push(e, in, r) != SIM_OK)
            return;
        s->in_flight++;
        r->state = REQ_QUEUED;
        set_queued(e, s, +1);
        return;
    }
    s->all.dropped++;
    s->win.dropped++;
    s->tick.dropped++;
    r->outcome = OUT_DROPPED;
    send_reply(e, r);
}

static void on_arrive(sim_engine *e, sim_event *ev) { deliver(e, ev->a); }

/* ---- load balancing ----------------------------------------------------------------- */

static sim_instance *pick(sim_engine *e, sim_service *s)
{
    uint32_t n = s->cfg.replicas;
    if (n == 1)
        return &s->inst[0];
    switch (s->cfg.balancer) {
    case SIM_LB_ROUND_ROBIN:
        return &s->inst[s->rr++ % n];
    case SIM_LB_RANDOM:
        return &s->inst[sim_rng_below(&s->rng_lb, n)];
    case SIM_LB_LEAST_OUTSTANDING: {
        /* Ties go round robin so that an idle system spreads its load. */
        uint32_t start = s->rr++ % n, best = start;
        for (uint32_t k = 1; k < n; k++) {
            uint32_t i = (start + k) % n;
            if (s->inst[i].outstanding < s->inst[best].outstanding)
                best = i;
        }
        return &s->inst[best];
    }
    case SIM_LB_POWER_OF_TWO: {
        uint32_t a = (uint32_t)sim_rng_below(&s->rng_lb, n);
        uint32_t b = (uint32_t)sim_rng_below(&s->rng_lb, n - 1);
        if (b >= a)
            b++;
        return s->inst[b].outstanding < s->inst[a].outstanding ? &s->inst[b] : &s->inst[a];
    }
    }
    return &s->inst[0];
}

/* ---- calls -------------------------------------------------------------------------- */

int sim_service_call(sim_engine *e, sim_req *from, sim_service *s, uint32_t ep)
{
    sim_req *c = sim_req_new(e, KIND_CALL, from);
    if (!c)
        return SIM_ENOMEM;
    c->ep = &s->eps[ep];
    c->inst = pick(e, s);
    c->inst->outstanding++;
    c->state = REQ_TRANSIT;
    sim_engine_hop(e, node_of(from), c->inst->node, on_arrive, c);
    return SIM_OK;
}

static void on_reply(sim_engine *e, sim_event *ev)
{
    sim_req *c = ev->a, *p = c->parent;
    if (p->kind == KIND_ROOT) {
        sim_client_reply(e, p, c);
    } else if (c->outcome == OUT_OK) {
        p->pc++;
        proceed(e, p);
    } else if (p->kind == KIND_CALL) {
        finish(e, p, OUT_FAILED);
    } else {
        fiber_end(e, p, OUT_FAILED);
    }
    sim_req_release(e, c);
}

/* ---- fork and join ------------------------------------------------------------------ */

static void on_fiber_start(sim_engine *e, sim_event *ev) { exec(e, ev->a); }

static void fork_start(sim_engine *e, sim_req *r, const sim_op *op)
{
    r->fork_live = op->n;
    r->fork_ok = r->fork_fail = 0;
    r->join_done = 0;
    r->user++;   /* the fork generation: fibers of an older fork are orphans */
    if (!op->blocking && r->kind == KIND_CALL)
        release_worker(e, r);
    for (uint32_t i = 0; i < op->n; i++) {
        sim_req *f = sim_req_new(e, KIND_FIBER, r);
        if (!f)
            return;
        f->inst = r->inst;
        f->ep = r->ep;
        f->pc = op->targets[i];
        f->user = r->user;
        f->state = REQ_RUNNING;
        /* Fibers start from the calendar so that one finishing at once cannot resume the
         * parent while its siblings are still being created. */
        sim_engine_event(e, on_fiber_start, f, NULL, e->now);
    }
}

static void fiber_end(sim_engine *e, sim_req *f, sim_outcome out)
{
    sim_req *p = f->parent;
    f->state = REQ_REPLYING;
    f->outcome = (uint8_t)out;
    if (f->user == p->user && !p->join_done) {
        const sim_op *op = &p->ep->ops[p->pc];
        p->fork_live--;
        if (out == OUT_OK)
            p->fork_ok++;
        else
            p->fork_fail++;
        if (p->fork_ok >= op->quorum) {
            p->join_done = 1;
            p->pc = op->targets[op->n];
            proceed(e, p);
        } else if (p->fork_fail > op->n - op->quorum) {
            p->join_done = 1;
            if (p->kind == KIND_CALL)
                finish(e, p, OUT_FAILED);
            else
                fiber_end(e, p, OUT_FAILED);
        }
    }
    sim_req_release(e, f);
}

/* ---- the interpreter ---------------------------------------------------------------- */

static void on_step_done(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    r->pc++;
    proceed(e, r);
}

static void exec(sim_engine *e, sim_req *r)
{
    sim_service *s = r->inst->svc;
    const sim_op *ops = r->ep->ops;
    for (;;) {
        const sim_op *op = &ops[r->pc];
        switch ((sim_opcode)op->code) {
        case OP_WORK:
            sim_engine_event(e, on_step_done, r, NULL,
                             e->now + sim_dist_sample(op->dist, &s->rng_work));
            return;
        case OP_SLEEP:
            if (r->kind == KIND_CALL)
                release_worker(e, r);
            sim_engine_event(e, on_step_done, r, NULL,
                             e->now + sim_dist_sample(op->dist, &s->rng_work));
            return;
        case OP_CALL:
            /* The worker goes first: with a zero-latency link the reply may come back, and r
             * go on, before sim_service_call returns. */
            if (!op->blocking && r->kind == KIND_CALL)
                release_worker(e, r);
            sim_service_call(e, r, &e->svcs[op->target], op->endpoint);
            return;
        case OP_FORK:
            fork_start(e, r, op);
            return;
        case OP_CHOOSE: {
            double u = sim_rng_uniform(&s->rng_choose);
            uint32_t i = 0;
            while (i + 1 < op->n && u > op->cum[i])
                i++;
            r->pc = op->targets[i];
            continue;
        }
        case OP_JUMP:
            r->pc = op->target;
            continue;
        case OP_BRANCH_END:
            fiber_end(e, r, OUT_OK);
            return;
        case OP_RETURN:
            finish(e, r, OUT_OK);
            return;
        }
    }
}

/* A CALL request is done: its worker goes back, its service counts it, its reply leaves. */
static void finish(sim_engine *e, sim_req *r, sim_outcome out)
{
    sim_service *s = r->inst->svc;
    r->outcome = (uint8_t)out;
    s->in_flight--;
    if (out == OUT_OK) {
        s->all.completed++;
        s->win.completed++;
        s->tick.completed++;
        s->resid_sum += e->now - r->t_arrived;
        s->resid_n++;
    } else {
        s->all.failed++;
        s->win.failed++;
        s->tick.failed++;
    }
    /* The worker goes back before the reply leaves: a zero-latency reply frees r. */
    release_worker(e, r);
    send_reply(e, r);
}

/* ---- statistics --------------------------------------------------------------------- */

int sim_service_init_stats(sim_service *s)
{
    sim_tw_init(&s->tw_busy, 0, 0);
    sim_tw_init(&s->tw_queue, 0, 0);
    return sim_hist_init(&s->wait_hist);
}

void sim_service_reset_window(sim_engine *e, sim_service *s)
{
    memset(&s->win, 0, sizeof s->win);
    /* The sampling integrals are relative to the window's: shift them with it. */
    s->tick_busy -= sim_tw_area(&s->tw_busy, e->now);
    s->tick_queue -= sim_tw_area(&s->tw_queue, e->now);
    sim_tw_reset(&s->tw_busy, e->now);
    sim_tw_reset(&s->tw_queue, e->now);
    s->resid_sum = 0;
    s->resid_n = 0;
    sim_hist_reset(&s->wait_hist);
}

void sim_service_fini(sim_service *s)
{
    if (s->inst)
        for (uint32_t i = 0; i < s->cfg.replicas; i++)
            sim_free(s->inst[i].q.heap);
    sim_free(s->inst);
    s->inst = NULL;
    sim_hist_fini(&s->wait_hist);
}
