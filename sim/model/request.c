/* request: creation, waits and release of requests; see request.h for the contracts. */
#include "model/request.h"

#include <math.h>

#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"
#include "model/host.h"

sim_req *sim_req_new(sim_engine *e, sim_req_kind kind, sim_req *parent, sim_req *root)
{
    sim_req *r = sim_pool_get(&e->reqs);
    if (!r) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for requests");
        return NULL;
    }
    /* Field by field rather than memset: this is on the hot path, and the fields left out
     * (timestamps of later stages, fork counters) are set before they are read. */
    r->wait.prev = r->wait.next = NULL;
    r->wait.slot = 0;
    r->inext = r->iprev = NULL;
    r->state = SIM_REQ_RUNNING;
    r->kind = (uint8_t)kind;
    r->outcome = SIM_CAUSE_OK;
    r->holds_worker = r->resume = r->join_done = r->counted = r->admitted = r->working = 0;
    r->nwork = 0;
    r->waits_msg = 0;
    r->retry = 0;
    r->bulk = 0;
    r->attempt = 0;
    r->msg = NULL;
    r->cpu_slot = 0;
    r->pc = 0;
    r->refs = 1;
    r->tree = 0;
    r->gen = 0;
    r->user = 0;
    r->id = e->next_id++;
    r->t_created = e->now;
    r->parent = parent;
    r->ev = NULL;
    r->timer = NULL;
    r->client = NULL;
    if (parent) {
        parent->refs++;
        r->pgen = parent->gen;
        r->priority = parent->priority;
        r->inst = parent->inst;
        r->ep = parent->ep;
        r->deadline = parent->deadline;
    } else {
        r->deadline = INFINITY;
        r->pgen = 0;
        r->priority = 0;
        r->inst = NULL;
        r->ep = NULL;
    }
    if (root) {
        SIM_INVARIANT(root->kind == SIM_REQ_ROOT && root->state != SIM_REQ_FREE);
        root->tree++;
        r->root = root;
        r->root_id = root->id;
    } else {
        r->root = r;
        r->root_id = r->id;
    }
    return r;
}

uint32_t sim_req_abandon_(sim_engine *e, sim_req *r)
{
    if (r->working) {   /* an abandoned work step gives its core and its thread's work up */
        if (r->inst->host)
            sim_host_remove(e, r->inst->host, r);
        sim_service_work_end(e->now, r);
    }
    if (r->ev) {
        sim_engine_cancel(e, r->ev);
        r->ev = NULL;
    }
    return ++r->gen;
}

static void req_free(sim_engine *e, sim_req *r)
{
    SIM_INVARIANT(r->ev == NULL && !r->admitted && !sim_waitq_parked(&r->wait));
    if (r->kind == SIM_REQ_ROOT)
        sim_client_release(e, r);
    r->state = SIM_REQ_FREE;
    sim_pool_put(&e->reqs, r);
}

void sim_req_release(sim_engine *e, sim_req *r)
{
    while (r) {
        if (NEVER(r->refs == 0 || r->state == SIM_REQ_FREE))
            return;
        if (--r->refs > 0)
            return;
        if (r->kind == SIM_REQ_ROOT) {
            if (r->tree == 0)
                req_free(e, r);   /* its completion */
            return;
        }
        sim_req *parent = r->parent, *root = r->root;
        req_free(e, r);
        if (ALWAYS(root->tree > 0))
            root->tree--;
        if (parent) {             /* drop the reference this child held on its parent */
            r = parent;
            continue;
        }
        /* Nobody to reply to (a message): the root may have been waiting only for this. */
        if (root->tree == 0 && root->refs == 0)
            req_free(e, root);
        return;
    }
}

void sim_req_unpin(sim_engine *e, sim_req *root)
{
    if (NEVER(root->kind != SIM_REQ_ROOT || root->tree == 0))
        return;
    if (--root->tree == 0 && root->refs == 0)
        req_free(e, root);   /* its completion */
}
