/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Names shared by the plug-in's files. */
#pragma once

#define PLUG_IN_PROC         "plug-in-flux-fill"
#define PLUG_IN_PROC_EXPAND  "plug-in-flux-expand"
#define PLUG_IN_PROC_AGAIN   "plug-in-flux-fill-again"
#define PLUG_IN_PROC_KEEP    "plug-in-flux-fill-keep"
#define PLUG_IN_PROC_EDIT    "plug-in-flux-edit"
/* The help pages: docs/help, installed beside the plug-in as help/. */
#define PLUG_IN_HELP_DOMAIN  "plug-in-flux-fill-help"
#define PLUG_IN_BINARY  "flux-fill"
