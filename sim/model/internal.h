/* internal: every engine-side structure, for the model's own files and for result.c (which turns
 * a finished engine into a result value). Nothing outside sim/model includes it; see engine.h
 * for the event contract and request.h for lifetimes and waits. */
#ifndef SIM_MODEL_INTERNAL_H
#define SIM_MODEL_INTERNAL_H

#include "model/broker.h"
#include "model/client.h"
#include "model/engine.h"
#include "model/node.h"
#include "model/program.h"
#include "model/request.h"
#include "model/service.h"
#include "model/waitq.h"

#endif
