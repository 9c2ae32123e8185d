/* src/scenario/confine.h -- which files the scenario loader may open, and opening them so that
 * no file can hold the caller. `longmen serve` opens files on behalf of whoever sends a
 * request, through `extends:` too, so while it runs the loader is confined: every file it
 * opens must be a regular `*.yaml`/`*.yml` file inside the scenarios or the runs folder once
 * links are resolved, and a refusal says the same whether the file exists or not. The CLI is
 * not confined (a user may extend any file of theirs), but it too opens without blocking, so
 * a FIFO with no writer is an error instead of a hang. */
#ifndef LM_SCENARIO_CONFINE_H
#define LM_SCENARIO_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

#include "longmen/error.h"

/* Confines every later load of the process to files inside scenarios_dir and runs_dir (both
 * must exist). Edited copies that the server writes into copies_dir (may be NULL) resolve a
 * relative `extends:` from scenarios_dir, the folder of the file they were made from. Call
 * before any thread loads a scenario; lm__scenario_unconfine() lifts it. */
lm_status lm__scenario_confine(const char *scenarios_dir, const char *runs_dir,
                               const char *copies_dir, lm_error *err);
void lm__scenario_unconfine(void);
bool lm__scenario_confined(void);

/* Opens path for reading without blocking (O_NONBLOCK, O_CLOEXEC). Returns the descriptor, or
 * -1 with *errnum set: an errno value, or LM__NOT_SERVED when confinement refuses the file. */
#define LM__NOT_SERVED (-1)
int lm__scenario_open(const char *path, int *errnum);

/* The folder (with a trailing '/') a relative `extends:` in file resolves from, into out:
 * the file's own folder as typed, or the scenarios folder for an edited copy of the server.
 * Returns false when it does not fit. */
bool lm__scenario_extends_dir(const char *file, char *out, size_t size);

#endif
