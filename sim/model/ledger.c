/* ledger: the end-of-run accounting. Live requests are recounted slot by slot in the request
 * pool — a count independent of the counters the model keeps — and each component kind checks
 * its balance (created = ended by cause + in flight) against that count. The same scan tells a
 * request merely in flight from one that is stuck: every request that is waiting must be
 * reachable from something that will happen (its own pending event, a place in a waiting room,
 * a client timeout, or a child it still waits for that is itself reachable); one that is not
 * can never finish, which is an engine defect, and fails the run with its description. */
#include <stdio.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/engine.h"

extern const sim_kind_ops *const sim_kinds[];
extern const uint32_t sim_nkinds;

typedef struct scan {
    sim_engine *e;
    uint64_t *svc_live;      /* per service: calls admitted and not finished */
    uint64_t *client_live;   /* per client: requests not yet resolved */
    int pass;
    const sim_req *stuck;    /* the first stuck request found */
} scan;

/* Whether r waits on something, and so must be reachable from future work. */
static int waiting(const sim_req *r)
{
    return r->state == SIM_REQ_ROOT_WAIT || (r->state == SIM_REQ_RUNNING && !r->ev);
}

/* The bulkhead of the call r is making (r->bulk set), or NULL. */
static sim_bulkhead *bulkhead_of(const sim_req *r)
{
    const sim_op *op = &r->ep->ops[r->pc];
    if (NEVER(op->code != SIM_OP_CALL || !op->policy))
        return NULL;
    return r->ep->retries[op->policy - 1].bh;
}

static void visit(void *obj, void *ud)
{
    sim_req *r = obj;
    scan *sc = ud;
    if (r->state == SIM_REQ_FREE)
        return;
    switch (sc->pass) {
    case 0:   /* counts, and what can move by itself */
        if (SIM_UNLIKELY(r->bulk)) {
            sim_bulkhead *b = bulkhead_of(r);
            if (b && r->bulk == 1)
                b->seen_used++;
            else if (b)
                b->seen_wait++;
        }
        if (r->kind == SIM_REQ_CALL &&
            (r->state == SIM_REQ_QUEUED || r->state == SIM_REQ_RUNNING))
            sc->svc_live[r->inst->svc->index]++;
        else if (r->kind == SIM_REQ_ROOT && r->state == SIM_REQ_ROOT_WAIT)
            sc->client_live[r->client->index]++;
        /* can it cause future events by itself: a pending event, a place in a waiting room or
         * on a host's cores, or (a client request) a pending timeout */
        r->mark = r->ev != NULL || r->state == SIM_REQ_QUEUED || r->cpu_slot != 0 ||
                  sim_waitq_parked(&r->wait) ||
                  (r->state == SIM_REQ_ROOT_WAIT && r->timer != NULL) ||
                  r->waits_msg ||   /* a broker's acknowledgement is on its way or will be */
                  /* it waits, with no timeout, for a request or reply lost on a link: in
                   * flight for good, not stuck */
                  (r->lost && r->lost == (0x80 | (r->gen & 0x7f)));
        break;
    case 1:   /* a movable request makes the parent waiting for it movable, up the chain */
        for (sim_req *c = r; c->mark && c->parent && !c->parent->mark &&
                             c->pgen == c->parent->gen;
             c = c->parent)
            c->parent->mark = 1;
        break;
    case 2:
        if (!r->mark && waiting(r) && !sc->stuck)
            sc->stuck = r;
        break;
    }
}

static const char *kind_name(const sim_req *r)
{
    return r->kind == SIM_REQ_ROOT ? "client request" : r->kind == SIM_REQ_CALL ? "call"
                                                                               : "parallel branch";
}

/* Each bulkhead's permits and queue against the requests that hold or wait for them, as the
 * scan of the pool counted them. SIM_OK, or SIM_ELEDGER after failing the run. */
static int bulkheads_check(sim_engine *e, int reset)
{
    for (uint32_t i = 0; i < e->nsvcs; i++)
        for (uint32_t j = 0; j < e->svcs[i].neps; j++) {
            const sim_endpoint *ep = &e->svcs[i].eps[j];
            for (uint32_t k = 0; k < ep->nretries; k++) {
                sim_bulkhead *b = ep->retries[k].bh;
                if (!b)
                    continue;
                if (reset) {
                    b->seen_used = b->seen_wait = 0;
                    continue;
                }
                if (b->used == b->seen_used && sim_waitq_len(&b->q) == b->seen_wait)
                    continue;
                sim_engine_fail(e, SIM_ELEDGER,
                                "the bulkhead of call %u of service '%s', endpoint '%s': %u "
                                "permits held and %zu waiting, but %u requests hold one and %u "
                                "wait",
                                k + 1, e->svcs[i].name, ep->name, b->used,
                                sim_waitq_len(&b->q), b->seen_used, b->seen_wait);
                return SIM_ELEDGER;
            }
        }
    return SIM_OK;
}

int sim_ledger_check(sim_engine *e)
{
    scan sc = { e, sim_calloc(e->nsvcs + 1, sizeof(uint64_t)),
                sim_calloc(e->nclients + 1, sizeof(uint64_t)), 0, NULL };
    int rc = SIM_OK;
    if (!sc.svc_live || !sc.client_live) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the ledger");
        rc = SIM_ENOMEM;
        goto done;
    }
    /* Pass 1 marks whole chains upwards from every movable request, so one sweep reaches every
     * ancestor whatever the order of the slots. */
    bulkheads_check(e, 1);
    for (sc.pass = 0; sc.pass < 3; sc.pass++)
        sim_pool_each(&e->reqs, visit, &sc);
    if ((rc = bulkheads_check(e, 0)) != SIM_OK)
        goto done;
    if (sc.stuck) {
        const sim_req *r = sc.stuck;
        const char *where = r->inst ? r->inst->svc->name
                            : r->kind == SIM_REQ_ROOT && r->client ? r->client->name : "?";
        sim_engine_fail(e, SIM_ELEDGER,
                        "%s %llu (of client request %llu) at '%s'%s%s, instruction %u, waits "
                        "for something that can never happen",
                        kind_name(r), (unsigned long long)r->id, (unsigned long long)r->root->id,
                        where, r->ep ? ", endpoint " : "", r->ep ? r->ep->name : "", r->pc);
        rc = SIM_ELEDGER;
        goto done;
    }
    for (uint32_t k = 0; k < sim_nkinds && rc == SIM_OK; k++) {
        const sim_kind_ops *ops = sim_kinds[k];
        /* Kinds other than clients and services count their own live objects. */
        const uint64_t *live = ops == &sim_client_kind    ? sc.client_live
                               : ops == &sim_service_kind ? sc.svc_live
                                                          : NULL;
        for (uint32_t i = 0; i < ops->count(e) && rc == SIM_OK; i++)
            rc = ops->ledger(e, i, live ? live[i] : 0);
    }
done:
    sim_free(sc.svc_live);
    sim_free(sc.client_live);
    return rc;
}
