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
 * widened to FF_MIN_CROP_SIDE where @bounds allow, clamped to @bounds.
 * @selection must lie inside @bounds.
 */
FfRect   ff_fill_crop           (const FfRect *selection,
                                 const FfRect *bounds,
                                 gint          context);

/* Where an outpainted result of @result_width × @result_height lands, in
 * the coordinates of @source (the picture that was sent): the original
 * keeps its place and scale, the result covers it and the new margins.
 * The side the mode does not extend sets the scale.  FALSE for
 * FF_OUTPAINT_NONE or an empty result.
 */
gboolean ff_outpaint_placement  (FfOutpaint    outpaint,
                                 const FfRect *source,
                                 gint          result_width,
                                 gint          result_height,
                                 FfRect       *placement);

G_END_DECLS
