/* error: the engine's error codes. Functions return SIM_OK or a negative SIM_E* code; only the
 * command line turns them into text (sim_strerror) and prints. */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

enum {
    SIM_OK = 0,
    SIM_ENOMEM = -1,   /* out of memory */
    SIM_EINVAL = -2,   /* an invalid argument or model parameter */
    SIM_EIO = -3,      /* an output file could not be written */
    SIM_ELEDGER = -4,  /* the end-of-run accounting does not balance (a bug) */
    SIM_ESTATE = -5,   /* a call made in the wrong state (e.g. building after the run) */
    SIM_ELUA = -6,     /* a Lua handler or scenario failed */
    SIM_ESTOPPED = -7, /* the run was stopped by its progress hook (interrupt, time limit) */
    SIM_ESTALL = -8,   /* simulated time stopped advancing (zero-time loop, clock resolution) */
    SIM_EMODEL = -9,   /* the model cannot run as given (a bad program, an impossible law) */
};

const char *sim_strerror(int code);   /* a static string; never NULL */

#endif
