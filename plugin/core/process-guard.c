/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "process-guard.h"

gboolean
ff_process_protect (void)
{
  struct rlimit none = { 0, 0 };
  gboolean      ok = TRUE;

#ifdef __linux__
  /* Also keeps other processes of the user from ptrace-attaching and
   * reading /proc/PID/mem or environ.
   */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    ok = FALSE;
#endif
  /* Off Linux this is the only guard; on Linux it also covers a
   * suid_dumpable of 2.  The hard limit too, so nothing later in the
   * process raises it again; children inherit it.
   */
  if (setrlimit (RLIMIT_CORE, &none) != 0)
    ok = FALSE;
  return ok;
}
