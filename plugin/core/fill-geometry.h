/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the fill happens: the crop sent to the model around the selection.
 * All rectangles are in image (canvas) coordinates.
 */
#pragma once

#include <glib.h>

#include "fill-params.h"

G_BEGIN_DECLS

typedef struct
{
  gint x;
  gint y;
  gint width;
  gint height;
} FfRect;

/* The model sees at least this much of the picture per side when the
 * canvas allows; smaller crops give it too little context.
 */
#define FF_MIN_CROP_SIDE 512

/* GIMP's largest image side (GIMP_MAX_IMAGE_SIZE); no canvas grows past it. */
#define FF_MAX_IMAGE_SIDE 524288

/* Exact for any gint rectangles, however far out (in 64 bits). */
gboolean ff_rect_intersect      (const FfRect *a,
                                 const FfRect *b,
                                 FfRect       *dest);
gboolean ff_rect_is_empty       (const FfRect *rect);

/* Context in pixels around @selection: the larger of 1/16 of the long
 * side of @bounds and half the selection's mean side.
 */
gint     ff_fill_auto_context   (const FfRect *selection,
                                 const FfRect *bounds);

/* The crop: @selection grown by @context pixels on each side (-1: auto),
 * widened to FF_MIN_CROP_SIDE where @bounds allow, clamped to @bounds,
 * then, up to FF_MODEL_MAX_SIDE, made a multiple of FF_MODEL_STEP where
 * that keeps the selection inside, so it goes to the model unscaled.
 * @selection must lie inside @bounds.
 */
FfRect   ff_fill_crop           (const FfRect *selection,
                                 const FfRect *bounds,
                                 gint          context);

/* The crop of an edit: ff_fill_crop (), then, where its long side over
 * its short one exceeds @max_aspect (0: any), the short side widened
 * within @bounds, and failing that the long side narrowed down to the
 * selection, so the model takes it at its own shape and the result
 * scales back uniformly.  FALSE when even that cannot bring it within
 * @max_aspect (a selection, or a canvas, wider than that).
 */
gboolean ff_edit_crop           (const FfRect *selection,
                                 const FfRect *bounds,
                                 gint          context,
                                 gdouble       max_aspect,
                                 FfRect       *crop);

/* FLUX fill models work in sides that are multiples of 32 and shrink
 * inputs beyond about 1440 × 1440; below 512 they see too little.
 */
#define FF_MODEL_STEP      32
#define FF_MODEL_MAX_SIDE  1440
#define FF_MODEL_MIN_SIDE  512

/* The size to send a @width × @height crop at: the crop's own size when
 * it already fits the model, else scaled (aspect kept to within the
 * rounding) so the long side is at most FF_MODEL_MAX_SIDE and at least
 * FF_MODEL_MIN_SIDE, with sides multiples of FF_MODEL_STEP.
 */
void     ff_model_size          (gint          width,
                                 gint          height,
                                 gint         *send_width,
                                 gint         *send_height);

/* How much larger than the original an outpainted side may come back;
 * the modes ask for 2× at the most.
 */
#define FF_OUTPAINT_MAX_GROWTH 4

/* Where an outpainted result of @result_width × @result_height lands, in
 * the coordinates of @source (the picture that was sent): the original
 * keeps its place and scale, the result covers it and the new margins.
 * The side the mode does not extend sets the scale.  FALSE for
 * FF_OUTPAINT_NONE, an empty result, or one whose shape would make a side
 * more than FF_OUTPAINT_MAX_GROWTH times the original's or longer than
 * FF_MAX_IMAGE_SIDE.
 */
gboolean ff_outpaint_placement  (FfOutpaint    outpaint,
                                 const FfRect *source,
                                 gint          result_width,
                                 gint          result_height,
                                 FfRect       *placement);

G_END_DECLS
