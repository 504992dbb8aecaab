/* calendar: the future event list.
 *
 * A 4-ary min-heap of (time, insertion number) keys, so events at equal times run first in,
 * first out and reruns are identical. Each event remembers its heap slot, so cancelling is a
 * true O(log n) removal rather than a tombstone that lingers until its time. Events are owned by
 * the caller (the engine pools them); the calendar only orders pointers to them. The heap sits
 * behind this header so it can be swapped for a ladder queue or a splay tree. */
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

struct sim_event {
    double time;          /* when it fires */
    uint64_t seq;         /* insertion number: the tie-breaker */
    uint32_t slot;        /* heap slot + 1; 0 when not in the calendar */
    uint32_t u32;         /* payload: a small integer (user index, wait token) */
    sim_event_fn fn;      /* what to do */
    void *a;              /* payload pointer */
    uint8_t state;        /* sim_event_state */
};

/* Children per heap node: the parent of slot i is slot (i - 1) / SIM_CAL_ARITY. */
#define SIM_CAL_ARITY 4

/* A heap entry: the event's time as an unsigned integer that orders as the times do
 * (sim_cal_time_key), its insertion number, and the event. */
typedef struct sim_cal_entry {
    uint64_t key;
    uint64_t seq;
    sim_event *ev;
} sim_cal_entry;

/* The bits of t, turned so that unsigned order is numeric order for every time but NaN
 * (negative times included; -0 sorts just before +0, and the calendar stores -0 as +0). */
static inline uint64_t sim_cal_time_key(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b ^ ((uint64_t)((int64_t)b >> 63) | (UINT64_C(1) << 63));
}

typedef struct sim_calendar {
    sim_cal_entry *heap;
    size_t n, cap;
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
static inline double sim_calendar_next_time(const sim_calendar *c)
{
    return c->n ? c->heap[0].ev->time : (double)INFINITY;
}

#endif
