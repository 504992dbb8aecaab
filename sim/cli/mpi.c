/* mpi: dessa sweep across the ranks of an MPI job (mpirun -np N dessa sweep ...).
 *
 * Built with MPI when CMake finds it (DESSA_MPI), and used only when the program was started by
 * an MPI launcher (the launcher's environment variables say so): a plain `dessa sweep` never
 * initialises MPI. Only the main thread calls MPI (MPI_THREAD_FUNNELED); the replication
 * threads of each rank do not. Without MPI every function here is the one-rank answer. */
#include <stdlib.h>

#include "cli.h"

#ifdef DESSA_MPI
#include <mpi.h>

static int active, rank, size = 1;

static int launched_by_mpi(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                        "MPI_LOCALNRANKS" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int cli_mpi_start(int *argc, char ***argv)
{
    if (!launched_by_mpi())
        return 0;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    active = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return 1;
}

void cli_mpi_stop(void)
{
    if (active)
        MPI_Finalize();
    active = 0;
}

int cli_mpi_rank(void) { return active ? rank : 0; }
int cli_mpi_size(void) { return active ? size : 1; }

int cli_mpi_bcast(int v)
{
    if (active)
        MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

void cli_mpi_max(int *v, size_t n)
{
    if (active && n)
        MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
}

const char *cli_mpi_name(void) { return "MPI"; }

#else

int cli_mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
void cli_mpi_stop(void) {}
int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
int cli_mpi_bcast(int v) { return v; }
void cli_mpi_max(int *v, size_t n)
{
    (void)v;
    (void)n;
}
const char *cli_mpi_name(void) { return NULL; }

#endif
