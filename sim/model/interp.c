/* interp: what a request does once it runs — the endpoint-program interpreter (work, sleep,
 * call, fork/join, choose), calls and their replies, and fibers.
 *
 * Every wait takes a fresh token (sim_req_new_wait); whoever wakes the request carries it, and a
 * stale wake is ignored. A child records its parent's token at birth (pgen), so a reply or a
 * fiber's end that belongs to an abandoned wait finds it no longer matches. */
#include <stdio.h>
#include <string.h>

#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"
#include "model/broker.h"
#include "model/host.h"
#include "model/fault.h"

static void fiber_end(sim_engine *e, sim_req *f, sim_cause out);
static void on_call_timeout(sim_engine *e, sim_event *ev);
static inline void proceed(sim_engine *e, sim_req *r);

/* A request failed with `out`: a call ends (its caller sees the failure), a fiber ends. */
static void fail_request(sim_engine *e, sim_req *r, sim_cause out)
{
    if (r->kind == SIM_REQ_CALL)
        sim_service_finish(e, r, out);
    else
        fiber_end(e, r, out);
}

/* Goes on after a wait: a CALL request that let its worker go gets it back first. (Always
 * inline, as step_after: 15 instructions fewer per M/M/1 customer, measured.) */
static inline __attribute__((always_inline)) void proceed(sim_engine *e, sim_req *r)
{
    if (r->kind == SIM_REQ_CALL && !r->holds_worker)
        sim_service_reacquire(e, r);
    else
        sim_interp_exec(e, r);
}

/* ---- steps with a duration ---------------------------------------------------------- */

void sim_interp_step_done(sim_engine *e, sim_req *r)
{
    if (r->working)
        sim_service_work_end(e->now, r);
    r->pc++;
    proceed(e, r);
}

static void on_step_done(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned */
    r->ev = NULL;
    sim_interp_step_done(e, r);
}

/* A step of a sampled duration, times `factor` (a slowdown of the instance for work and io;
 * 1 otherwise, which changes no bit of the draw). */
static inline __attribute__((always_inline)) void step_after(sim_engine *e, sim_req *r,
                                                              const sim_op *op, double factor)
{
    uint32_t token = sim_req_new_wait(e, r);
    r->ev = sim_engine_after(e, sim_dist_sample(op->dist, &r->ep->rng_work) * factor,
                             on_step_done, r, token);
}

/* A work step on the instance's host (out of line: a step on a core of its own keeps a small
 * frame). */
static __attribute__((noinline)) void work_on_host(sim_engine *e, sim_req *r, const sim_op *op,
                                                   sim_host *h)
{
    sim_req_new_wait(e, r);
    sim_service_work_begin(e->now, r);
    sim_host_run(e, h, r, sim_dist_sample(op->dist, &r->ep->rng_work) * r->inst->slow);
}

/* A work step: CPU demand, served by the instance's host (or a core of its own). Out of line,
 * so sim_interp_exec reaches it by a jump. */
static __attribute__((noinline)) void work(sim_engine *e, sim_req *r, const sim_op *op)
{
    sim_host *h = r->inst->host;
    if (h) {
        work_on_host(e, r, op, h);
        return;
    }
    step_after(e, r, op, r->inst->slow);
    sim_service_work_begin(e->now, r);
}

/* ---- calls -------------------------------------------------------------------------- */

/* A new call from `from` (its deadline carried down), on its way; NULL when the engine failed.
 * Always inline: sim_interp_call, every client request's call, is this and no more. */
static inline __attribute__((always_inline)) sim_req *send_call(sim_engine *e, sim_req *from,
                                                                sim_service *s, uint32_t ep)
{
    sim_req *c = sim_req_new(e, SIM_REQ_CALL, from,
                             from->kind == SIM_REQ_ROOT ? from : from->root);
    if (!c)
        return NULL;
    if (SIM_UNLIKELY(from->attempt > 0))   /* the flags start cleared */
        c->retry = 1;
    c->ep = &s->eps[ep];
    c->inst = sim_balancer_pick(s);
    c->inst->outstanding++;
    c->state = SIM_REQ_TRANSIT;
    if (SIM_LIKELY(!e->has_latency)) {   /* the usual hop, immediate: no nodes to look up */
        sim_engine_soon(e, sim_service_arrive, c, c->gen);   /* c->ev stays NULL */
    } else {
        uint32_t at = from->kind == SIM_REQ_ROOT ? from->client->node : from->inst->node;
        c->ev = sim_link_hop(e, at, c->inst->node, sim_service_arrive, c, c->gen);
    }
    return e->err ? NULL : c;
}

int sim_interp_call(sim_engine *e, sim_req *from, sim_service *s, uint32_t ep)
{
    return send_call(e, from, s, ep) ? SIM_OK : e->err ? e->err : SIM_ENOMEM;
}

static void on_breaker_open(sim_engine *e, sim_event *ev);
static void on_bulkhead_full(sim_engine *e, sim_event *ev);
static void on_bulkhead_wait_over(sim_engine *e, sim_event *ev);

/* The policy of the call at r->pc. */
static inline sim_retry *policy_of(const sim_req *r, const sim_op *op)
{
    return &r->ep->retries[op->policy - 1];
}

/* A state change of the breaker of the call at r->pc goes to the log (faults.csv). */
static void breaker_log(sim_engine *e, const sim_req *r, const sim_op *op, int state)
{
    const sim_service *s = r->inst->svc;
    sim_fault_log_breaker(e, s->index, (uint32_t)(r->ep - s->eps), op->policy, state);
}

/* The attempt goes: the worker is let go for a non-blocking call, the call is sent (its
 * deadline shortened to the attempt's timeout) and its timeout armed. */
static void call_send(sim_engine *e, sim_req *r, const sim_op *op, const sim_retry *p,
                      uint32_t token)
{
    if (!op->blocking && r->kind == SIM_REQ_CALL)
        sim_service_release_worker(e, r);
    sim_req *c = send_call(e, r, &e->svcs[op->target], op->endpoint);
    if (!c)
        return;
    if (p->cfg.timeout > 0) {
        if (e->now + p->cfg.timeout < c->deadline)
            c->deadline = e->now + p->cfg.timeout;
        r->ev = sim_engine_after(e, p->cfg.timeout, on_call_timeout, r, token);
    }
}

/* Whether the bulkhead lets r's attempt through now (a permit taken). Else the attempt waits
 * in its queue (its wait bounded by max_wait) or, with no room there, fails at once through a
 * zero-delay event. */
static int bulkhead_admit(sim_engine *e, sim_req *r, sim_bulkhead *b, uint32_t token)
{
    if (b->used < b->cfg.max) {
        b->used++;
        r->bulk = 1;
        return 1;
    }
    if (sim_waitq_len(&b->q) < b->cfg.queue) {
        if (sim_waitq_push(&b->q, &r->wait, 0) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for a bulkhead");
            return 0;
        }
        r->bulk = 2;
        if (b->cfg.max_wait > 0)
            r->ev = sim_engine_after(e, b->cfg.max_wait, on_bulkhead_wait_over, r, token);
        return 0;
    }
    r->ev = sim_engine_after(e, 0, on_bulkhead_full, r, token);
    return 0;
}

static void on_bulkhead_grant(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->bulk != 1)
        return;   /* abandoned (a crash), which gave the permit back */
    const sim_op *op = &r->ep->ops[r->pc];
    call_send(e, r, op, policy_of(r, op), r->gen);
}

/* r's attempt ends (its answer came, it timed out, or r is lost in a crash): its permit goes
 * to the first attempt waiting, which is sent from the immediate list, or back to the
 * bulkhead; an attempt still waiting leaves the queue. */
void sim_interp_bulkhead_leave(sim_engine *e, sim_req *r)
{
    const sim_op *op = &r->ep->ops[r->pc];
    sim_bulkhead *b = policy_of(r, op)->bh;
    int held = r->bulk == 1;
    if (r->bulk == 2)
        sim_waitq_remove(&b->q, &r->wait);
    r->bulk = 0;
    if (!held)
        return;
    sim_req *w = (sim_req *)sim_waitq_pop(&b->q);
    if (!w) {
        b->used--;
        return;
    }
    if (w->ev) {   /* its max_wait */
        sim_engine_cancel(e, w->ev);
        w->ev = NULL;
    }
    w->bulk = 1;   /* the permit passes to it: `used` stays */
    SIM_INVARIANT(b->used == b->cfg.max);
    sim_engine_soon(e, on_bulkhead_grant, w, w->gen);
}

/* An attempt of a call with a policy: its breaker may refuse it (a failure at once, through a
 * zero-delay event, so no handler runs inside another), its bulkhead may make it wait or
 * refuse it; else the call and its timeout. Out of line: a call without a policy keeps no
 * frame. */
static __attribute__((noinline)) void call_attempt_policy(sim_engine *e, sim_req *r,
                                                          const sim_op *op, uint32_t token)
{
    sim_retry *p = policy_of(r, op);
    if (r->attempt == 0)
        sim_retry_first(p);
    if (p->brk.on) {
        uint8_t was = p->brk.state;
        r->brk = sim_breaker_admit(&p->brk, e->now, e->cfg.warmup);
        if (SIM_UNLIKELY(p->brk.state != was))
            breaker_log(e, r, op, p->brk.state);
        if (!r->brk) {
            r->ev = sim_engine_after(e, 0, on_breaker_open, r, token);
            return;
        }
    }
    if (p->bh && !bulkhead_admit(e, r, p->bh, token))
        return;
    call_send(e, r, op, p, token);
}

/* One attempt of the call at r->pc: a new wait, the call, and the attempt's timeout. */
static void call_attempt(sim_engine *e, sim_req *r, const sim_op *op)
{
    uint32_t token = sim_req_new_wait(e, r);
    if (SIM_UNLIKELY(op->policy)) {
        call_attempt_policy(e, r, op, token);
        return;
    }
    if (!op->blocking && r->kind == SIM_REQ_CALL)
        sim_service_release_worker(e, r);
    sim_interp_call(e, r, &e->svcs[op->target], op->endpoint);
}

/* The call step at r->pc starts: its first attempt. */
static inline void call_start(sim_engine *e, sim_req *r, const sim_op *op)
{
    r->attempt = 0;
    call_attempt(e, r, op);
}

static void on_retry(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned (a crash) */
    r->ev = NULL;
    call_attempt(e, r, &r->ep->ops[r->pc]);
}

/* The attempt that went through the breaker of the call at r->pc ended (ok or failed). */
static void breaker_result(sim_engine *e, sim_req *r, const sim_op *op, int ok)
{
    sim_breaker *b = &policy_of(r, op)->brk;
    uint8_t was = b->state;
    sim_breaker_result(b, r->brk, ok, e->now, e->cfg.warmup);
    r->brk = 0;
    if (b->state != was)
        breaker_log(e, r, op, b->state);
}

/* The call at r->pc failed (an error reply, or `out` = timeout): retry it after its backoff if
 * its policy allows, else go to its failure continuation or fail r. */
static void call_failed(sim_engine *e, sim_req *r, const sim_op *op, sim_cause out)
{
    if (r->brk)
        breaker_result(e, r, op, 0);
    if (op->policy) {
        sim_retry *p = &r->ep->retries[op->policy - 1];
        if (r->attempt < p->cfg.retries && sim_retry_allowed(p)) {
            uint32_t token = sim_req_new_wait(e, r);   /* the attempt's reply is ignored */
            r->attempt++;
            double d = sim_retry_delay(p, r->attempt, &r->backoff);
            r->ev = sim_engine_after(e, d, on_retry, r, token);
            return;
        }
    }
    if (op->fail_pc != SIM_PC_NONE) {
        r->pc = op->fail_pc;
        proceed(e, r);
    } else {
        fail_request(e, r, out);
    }
}

static void on_call_timeout(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned */
    r->ev = NULL;
    const sim_op *op = &r->ep->ops[r->pc];
    if (r->bulk)
        sim_interp_bulkhead_leave(e, r);
    if (!sim_req_never_arrived(r))
        sim_service_abandoned(e, &e->svcs[op->target], op->endpoint);
    call_failed(e, r, op, SIM_CAUSE_TIMEOUT);
}

/* The breaker refused the attempt: it fails at once, without reaching the callee. */
static void on_breaker_open(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned (a crash) */
    r->ev = NULL;
    call_failed(e, r, &r->ep->ops[r->pc], SIM_CAUSE_BREAKER_OPEN);
}

/* The bulkhead had no permit and no room to wait: the attempt fails at once. */
static void on_bulkhead_full(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned (a crash) */
    r->ev = NULL;
    call_failed(e, r, &r->ep->ops[r->pc], SIM_CAUSE_BULKHEAD);
}

/* The attempt waited max_wait for a permit in vain: it leaves the queue and fails. */
static void on_bulkhead_wait_over(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned, or granted a permit */
    r->ev = NULL;
    sim_interp_bulkhead_leave(e, r);
    call_failed(e, r, &r->ep->ops[r->pc], SIM_CAUSE_BULKHEAD);
}

/* The reply of call c reached its parent (the handler of the reply hop). */
void sim_interp_reply_arrived(sim_engine *e, sim_event *ev)
{
    sim_req *c = ev->a, *p = c->parent;
    c->ev = NULL;
    if (p->kind == SIM_REQ_ROOT) {
        sim_client_reply(e, p, c);
    } else if (c->pgen != p->gen || p->state != SIM_REQ_RUNNING) {
        /* the parent stopped waiting for this reply (timeout, crash, retry): ignore it */
    } else {
        if (p->ev) {   /* the attempt's timeout */
            sim_engine_cancel(e, p->ev);
            p->ev = NULL;
        }
        if (SIM_UNLIKELY(p->bulk))
            sim_interp_bulkhead_leave(e, p);
        if (c->outcome == SIM_CAUSE_OK) {
            if (SIM_UNLIKELY(p->brk))
                breaker_result(e, p, &p->ep->ops[p->pc], 1);
            p->pc++;
            proceed(e, p);
        } else {
            call_failed(e, p, &p->ep->ops[p->pc], SIM_CAUSE_FAILED);
        }
    }
    sim_req_release(e, c);
}

/* ---- request-reply over queues ----------------------------------------------------- */

/* The caller stopped waiting for its reply: the request's failure (its fallback, or the
 * caller fails with cause timeout). The reply, if it comes, will be late. */
static void on_request_timeout(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;   /* abandoned (its reply came, or a crash) */
    r->ev = NULL;
    r->waits_msg = 0;
    const sim_op *op = &r->ep->ops[r->pc];
    sim_broker_request_timeout(e, op->target, e->now - op->timeout >= e->cfg.warmup);
    call_failed(e, r, op, SIM_CAUSE_TIMEOUT);
}

void sim_interp_request_failed(sim_engine *e, sim_req *r, sim_cause c)
{
    if (r->ev) {   /* its timeout */
        sim_engine_cancel(e, r->ev);
        r->ev = NULL;
    }
    call_failed(e, r, &r->ep->ops[r->pc], c);
}

/* request(queue): a request message with the wait's token as its correlation id; the worker is
 * let go when it is not blocking; the timeout is the request's own event. */
static void request_send(sim_engine *e, sim_req *r, const sim_op *op)
{
    uint32_t token = sim_req_new_wait(e, r);
    if (!op->blocking && r->kind == SIM_REQ_CALL)
        sim_service_release_worker(e, r);
    sim_broker_request(e, r, op->target, op->reply_to, token);
    if (!e->err && op->timeout > 0)
        r->ev = sim_engine_after(e, op->timeout, on_request_timeout, r, token);
}

/* ---- reply early ------------------------------------------------------------------- */

/* reply(): the caller gets its answer now, carried by a stand-in child that replies in r's
 * place (with r's token, so a caller that gave up ignores it); r leaves its caller and goes on
 * with nobody to reply to, still counted in its client request's tree (completion). A request
 * with no caller (a message's consumer, or one that replied already) just goes on. */
static void reply_early(sim_engine *e, sim_req *r)
{
    sim_req *p = r->parent;
    if (r->kind != SIM_REQ_CALL || !p) {
        if (r->msg)   /* the consumer of a request message: its reply goes now */
            sim_broker_answer(e, r);
        return;
    }
    sim_req *proxy = sim_req_new(e, SIM_REQ_CALL, p, r->root);
    if (!proxy)
        return;
    proxy->pgen = r->pgen;
    proxy->inst = r->inst;
    proxy->ep = r->ep;
    proxy->state = SIM_REQ_REPLYING;
    r->parent = NULL;
    sim_req_release(e, p);   /* r's reference on its caller: the stand-in holds one */
    uint32_t to = p->kind == SIM_REQ_ROOT ? p->client->node : p->inst->node;
    proxy->ev = sim_engine_hop(e, r->inst->node, to, sim_interp_reply_arrived, proxy, 0);
}

void sim_interp_resume(sim_engine *e, sim_req *r)
{
    r->pc++;
    proceed(e, r);
}

void sim_interp_publish_failed(sim_engine *e, sim_req *r, sim_cause c)
{
    if (r->ev) {   /* its timeout */
        sim_engine_cancel(e, r->ev);
        r->ev = NULL;
    }
    fail_request(e, r, c);
}

/* ---- fork and join ------------------------------------------------------------------ */

static void on_fiber_start(sim_engine *e, sim_event *ev)
{
    sim_req *f = ev->a;
    if (ev->u32 != f->gen)
        return;   /* abandoned before it started */
    sim_interp_exec(e, f);
}

static void fork_start(sim_engine *e, sim_req *r, const sim_op *op)
{
    r->fork_ok = r->fork_fail = 0;
    r->join_done = 0;
    sim_req_new_wait(e, r);   /* fibers of an older fork carry an older token */
    if (!op->blocking && r->kind == SIM_REQ_CALL)
        sim_service_release_worker(e, r);
    for (uint32_t i = 0; i < op->n; i++) {
        sim_req *f = sim_req_new(e, SIM_REQ_FIBER, r, r->root);
        if (!f)
            return;
        f->pc = op->targets[i];
        f->state = SIM_REQ_RUNNING;
        sim_service_admit(f->inst, f);
        /* Fibers start from the immediate list, so one that ends at once cannot resume the
         * parent while its siblings are still being made. */
        sim_engine_soon(e, on_fiber_start, f, f->gen);
    }
}

static void fiber_end(sim_engine *e, sim_req *f, sim_cause out)
{
    sim_req *p = f->parent;
    f->state = SIM_REQ_REPLYING;
    f->outcome = (uint8_t)out;
    sim_service_unadmit(f->inst, f);
    if (f->pgen == p->gen && !p->join_done && p->state == SIM_REQ_RUNNING) {
        const sim_op *op = &p->ep->ops[p->pc];
        if (out == SIM_CAUSE_OK)
            p->fork_ok++;
        else
            p->fork_fail++;
        if (p->fork_ok >= op->quorum) {
            p->join_done = 1;
            p->pc = op->targets[op->n];
            proceed(e, p);
        } else if (p->fork_fail > op->n - op->quorum) {
            p->join_done = 1;
            fail_request(e, p, SIM_CAUSE_FAILED);
        }
    }
    sim_req_release(e, f);
}

/* ---- the interpreter ---------------------------------------------------------------- */

/* The outcome of a request that ran its whole program: OK, or FAILED with the endpoint's
 * error_rate (its own stream: only endpoints with an error rate draw). */
static sim_cause served(sim_req *r)
{
    sim_endpoint *ep = r->ep;
    return sim_rng_uniform(&ep->rng_error) < ep->error_rate ? SIM_CAUSE_FAILED : SIM_CAUSE_OK;
}

/* Every opcode, from r->pc on (sim_interp_exec sends here all but the two steps of a plain
 * endpoint). */
static __attribute__((noinline)) void exec_loop(sim_engine *e, sim_req *r)
{
    const sim_op *ops = r->ep->ops;
    for (;;) {
        const sim_op *op = &ops[r->pc];
        switch ((sim_opcode)op->code) {
        case SIM_OP_WORK:
            work(e, r, op);
            return;
        case SIM_OP_IO:
            step_after(e, r, op, r->inst->slow);
            return;
        case SIM_OP_SLEEP:
            if (r->kind == SIM_REQ_CALL)
                sim_service_release_worker(e, r);
            step_after(e, r, op, 1.0);
            return;
        case SIM_OP_CALL:
            call_start(e, r, op);
            return;
        case SIM_OP_FORK:
            fork_start(e, r, op);
            return;
        case SIM_OP_CHOOSE: {
            double u = sim_rng_uniform(&r->ep->rng_choose);
            uint32_t i = 0;
            while (i + 1 < op->n && u > op->cum[i])
                i++;
            r->pc = op->targets[i];
            continue;
        }
        case SIM_OP_JUMP:
            r->pc = op->target;
            continue;
        case SIM_OP_BRANCH_END:
            fiber_end(e, r, SIM_CAUSE_OK);
            return;
        case SIM_OP_RETURN:
            sim_service_finish(e, r, SIM_UNLIKELY(r->ep->error_rate > 0) ? served(r)
                                                                         : SIM_CAUSE_OK);
            return;
        case SIM_OP_PUBLISH:
            if (sim_broker_publish(e, r, op->target, op->blocking, op->key) || e->err)
                return;   /* waits for the broker's acknowledgement */
            r->pc++;
            continue;
        case SIM_OP_REQUEST:
            request_send(e, r, op);
            return;
        case SIM_OP_REPLY:
            reply_early(e, r);
            if (e->err)
                return;
            r->pc++;
            continue;
        }
        (void)NEVER(1);   /* the verifier admits no other opcode */
        return;
    }
}

/* A work step, a call and a plain return, the steps of most endpoints, go straight to their
 * handlers (jumps: this function keeps no frame of its own); the rest to the loop. */
void sim_interp_exec(sim_engine *e, sim_req *r)
{
    const sim_op *op = &r->ep->ops[r->pc];
    if (op->code == SIM_OP_WORK) {
        work(e, r, op);
        return;
    }
    if (op->code == SIM_OP_RETURN && !(r->ep->error_rate > 0)) {
        sim_service_finish(e, r, SIM_CAUSE_OK);
        return;
    }
    if (op->code == SIM_OP_CALL) {
        call_start(e, r, op);
        return;
    }
    exec_loop(e, r);
}

/* For the stall message: which endpoint keeps firing events without time passing. */
void sim_interp_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n);
void sim_interp_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n)
{
    (void)e;
    if (ev->fn != on_step_done && ev->fn != on_fiber_start && ev->fn != sim_service_arrive &&
        ev->fn != sim_interp_reply_arrived && ev->fn != on_retry &&
        ev->fn != on_breaker_open && ev->fn != on_bulkhead_full &&
        ev->fn != on_bulkhead_grant)
        return;
    const sim_req *r = ev->a;
    if (r->inst && r->inst->svc && r->ep)
        snprintf(buf, n, "calls to service '%s', endpoint '%s', keep ending at once",
                 r->inst->svc->name, r->ep->name);
}
