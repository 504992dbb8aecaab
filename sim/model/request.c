/* request: creation, waits and release of requests; see request.h for the contracts. */
#include "model/request.h"

#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"
#include "model/host.h"

void sim_req_nomem_(sim_engine *e)
{
    sim_engine_fail(e, SIM_ENOMEM, "out of memory for requests");
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
        sim_client_release(e, e->now, r);
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
