/* calendar: the future event list.
 *
 * Events come out in order of (time, insertion number), so events at equal times run first in,
 * first out and reruns are identical. The near events are in a 4-ary heap; a large calendar
 * keeps its far events in buckets and a far list, and moves them into the heap a bucket at a
 * time (calendar.c says how and why). Each event remembers where it is, so cancelling is O(1)
 * for a listed event and an O(log n) removal for one in the heap; a cancelled event is never
 * touched again by the calendar. Events are owned by the caller (the engine pools them); the
 * calendar only orders pointers to them. */
#ifndef SIM_CALENDAR_H
#define SIM_CALENDAR_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sim_engine;
typedef struct sim_event sim_event;
typedef void (*sim_event_fn)(struct sim_engine *s, sim_event *ev);

/* Where an event is in its life; the engine keeps it (the calendar only orders). */
typedef enum {
    SIM_EV_FREE = 0,      /* in the pool */
    SIM_EV_SCHEDULED,     /* in the calendar */
    SIM_EV_RUNNING,       /* its handler is running */
    SIM_EV_IMMEDIATE,     /* the engine's view of an immediate entry, while its handler runs */
} sim_event_state;

/* 40 bytes. Its insertion number, the tie-breaker, is kept where the calendar orders it (its heap
 * entry or list node), not here. */
struct sim_event {
    double time;          /* when it fires */
    uint32_t slot;        /* where in the calendar (see calendar.c); 0 when not in it */
    uint32_t u32;         /* payload: a small integer (user index, wait token) */
    sim_event_fn fn;      /* what to do */
    void *a;              /* payload pointer */
    uint8_t state;        /* sim_event_state */
};
_Static_assert(sizeof(void *) != 8 || sizeof(struct sim_event) == 40, "sim_event grew");

/* Children per heap node: the parent of slot i is slot (i - 1) / SIM_CAL_ARITY. */
#define SIM_CAL_ARITY 4

/* Calendars of fewer than this many events are a heap alone; larger ones spread their far
 * events over buckets (see calendar.c). */
#define SIM_CAL_SMALL 256

/* An event's slot, when it waits in a bucket or the far list: this bit and its node's index. */
#define SIM_CAL_IN_LIST UINT32_C(0x80000000)
#define SIM_CAL_NONE UINT32_MAX   /* the end of a list */

/* A heap entry: the event's time as an unsigned integer that orders as the times do
 * (sim_cal_time_key), its insertion number, and the event. */
typedef struct sim_cal_entry {
    uint64_t key;
    uint64_t seq;
    sim_event *ev;
} sim_cal_entry;

/* A far event in a list (a bucket or the far list): its time and insertion number, so moving it
 * reads the node and not the event, and the next node. ev is NULL once the event is cancelled
 * (the node is freed when its list is next walked). */
typedef struct sim_cal_node {
    double t;
    uint64_t seq;
    sim_event *ev;
    uint32_t next;
} sim_cal_node;

/* The bits of t, turned so that unsigned order is numeric order for every time but NaN
 * (negative times included; -0 sorts just before +0, and the calendar stores -0 as +0). */
static inline uint64_t sim_cal_time_key(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b ^ ((uint64_t)((int64_t)b >> 63) | (UINT64_C(1) << 63));
}

typedef struct sim_calendar {
    /* The near events, in a 4-ary heap: every one of them precedes every event in a bucket or
     * in the far list. */
    sim_cal_entry *heap;
    size_t hn, hcap;
    /* List nodes, with a free list through next. */
    sim_cal_node *nodes;
    uint32_t ncap, free;
    uint32_t nlive_nodes, ndead;   /* nodes holding an event; cancelled nodes not yet freed */
    /* The buckets (one rung of a ladder queue): bucket b holds the listed events with
     * floor((t - start) * inv_w) == b, for cur <= b < nb; nb == 0 when there are none. */
    uint32_t *bucket;
    size_t nb, cur, bcap;
    double start, inv_w;
    /* The far list: events past the last bucket (or, with no buckets, at or after bound). */
    uint32_t far;
    size_t nfar;                   /* nodes in the far list, cancelled ones included */
    double far_lo, far_hi;         /* the far list's least and greatest finite time */
    double far_sum;                /* the sum of its finite times */
    double bound;                  /* with no buckets and a far list: between heap and far list */
    double lim;                    /* a push before it (the heap being small) goes to the heap */
    size_t n;                      /* events scheduled */
    uint64_t seq;
} sim_calendar;

int sim_calendar_init(sim_calendar *c);            /* SIM_OK or SIM_ENOMEM */
void sim_calendar_fini(sim_calendar *c);
/* Schedules ev at time t (ev must not be scheduled). SIM_OK or SIM_ENOMEM. */
int sim_calendar_push(sim_calendar *c, sim_event *ev, double t);
/* Removes and returns the earliest event, or NULL when empty. */
sim_event *sim_calendar_pop(sim_calendar *c);
/* Removes a scheduled event; a no-op for an event that is not scheduled. */
void sim_calendar_cancel(sim_calendar *c, sim_event *ev);
static inline size_t sim_calendar_size(const sim_calendar *c) { return c->n; }
/* Moves the next bucket's events (or the far list's) into the heap; the heap is empty. */
double sim_calendar_next_time_slow_(sim_calendar *c);
static inline double sim_calendar_next_time(sim_calendar *c)
{
    return c->hn ? c->heap[0].ev->time : sim_calendar_next_time_slow_(c);
}

#endif
