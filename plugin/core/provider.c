/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "provider.h"

/* The one place that maps the table's providers to their code. */
const FfProviderOps *
ff_provider_ops (FfProviderId id)
{
  switch (id)
    {
    case FF_PROVIDER_BFL:
      return ff_provider_bfl ();
    case FF_PROVIDER_REPLICATE:
    default:
      return ff_provider_replicate ();
    }
}
