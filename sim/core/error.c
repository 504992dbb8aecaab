/* error: texts for the engine's error codes. */
#include "core/error.h"

const char *sim_strerror(int code)
{
    switch (code) {
    case SIM_OK: return "success";
    case SIM_ENOMEM: return "out of memory";
    case SIM_EINVAL: return "invalid argument";
    case SIM_EIO: return "input/output error";
    case SIM_ELEDGER: return "accounting mismatch at the end of the run";
    case SIM_ESTATE: return "operation not allowed in this state";
    case SIM_ELUA: return "Lua error";
    }
    return "unknown error";
}
