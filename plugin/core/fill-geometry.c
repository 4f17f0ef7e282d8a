/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "fill-geometry.h"

gboolean
ff_rect_is_empty (const FfRect *rect)
{
  return rect->width <= 0 || rect->height <= 0;
}

gboolean
ff_rect_intersect (const FfRect *a,
                   const FfRect *b,
                   FfRect       *dest)
{
  /* In 64 bits: a layer's offset near G_MAXINT plus its width overflows. */
  gint64 x1 = MAX ((gint64) a->x, (gint64) b->x);
  gint64 y1 = MAX ((gint64) a->y, (gint64) b->y);
  gint64 x2 = MIN ((gint64) a->x + a->width, (gint64) b->x + b->width);
  gint64 y2 = MIN ((gint64) a->y + a->height, (gint64) b->y + b->height);

  if (x2 <= x1 || y2 <= y1)
    {
      *dest = (FfRect) { 0, 0, 0, 0 };
      return FALSE;
    }
  /* Both lie inside a or b, so they fit a gint again. */
  *dest = (FfRect) { (gint) x1, (gint) y1, (gint) (x2 - x1), (gint) (y2 - y1) };
  return TRUE;
}

gint
ff_fill_auto_context (const FfRect *selection,
                      const FfRect *bounds)
{
  gint long_side = MAX (bounds->width, bounds->height);

  return MAX (long_side / 16, (selection->width + selection->height) / 4);
}

/* Grows [*start, *start + *length) to at least @min, centred, kept
 * inside [lo, hi).
 */
static void
widen_span (gint *start,
            gint *length,
            gint  min,
            gint  lo,
            gint  hi)
{
  gint want = MIN (min, hi - lo);
  gint grow;

  if (*length >= want)
    return;
  grow = want - *length;
  *start -= grow / 2;
  *length = want;
  if (*start < lo)
    *start = lo;
  if (*start + *length > hi)
    *start = hi - *length;
}

/* Makes [*start, *start + *length) a multiple of @step long: grown inside
 * [lo, hi) if there is room, else shrunk around [keep_start, keep_end),
 * the cut shared between the margins; left alone when neither works.
 */
static void
snap_span (gint *start,
           gint *length,
           gint  step,
           gint  keep_start,
           gint  keep_end,
           gint  lo,
           gint  hi)
{
  gint up = (*length + step - 1) / step * step;
  gint down = *length / step * step;
  gint before = keep_start - *start;
  gint after = *start + *length - keep_end;
  gint trim, cut_front;

  if (up == *length || *length > FF_MODEL_MAX_SIDE)
    return;
  if (up <= hi - lo)
    {
      widen_span (start, length, up, lo, hi);
      return;
    }
  trim = *length - down;
  if (down == 0 || before + after < trim)
    return;
  cut_front = before + after > 0 ? trim * before / (before + after) : 0;
  cut_front = CLAMP (cut_front, trim - after, before);
  *start += cut_front;
  *length = down;
}

void
ff_model_size (gint  width,
               gint  height,
               gint *send_width,
               gint *send_height)
{
  gint    long_side = MAX (width, height);
  gdouble scale = 1.0;

  if (long_side > FF_MODEL_MAX_SIDE)
    scale = (gdouble) FF_MODEL_MAX_SIDE / long_side;
  else if (long_side < FF_MODEL_MIN_SIDE)
    scale = (gdouble) FF_MODEL_MIN_SIDE / long_side;

  if (scale == 1.0 && width % FF_MODEL_STEP == 0 && height % FF_MODEL_STEP == 0)
    {
      *send_width = width;
      *send_height = height;
      return;
    }
  *send_width = CLAMP ((gint) lround (width * scale / FF_MODEL_STEP) * FF_MODEL_STEP,
                       FF_MODEL_STEP, FF_MODEL_MAX_SIDE);
  *send_height = CLAMP ((gint) lround (height * scale / FF_MODEL_STEP) * FF_MODEL_STEP,
                        FF_MODEL_STEP, FF_MODEL_MAX_SIDE);
}

FfRect
ff_fill_crop (const FfRect *selection,
              const FfRect *bounds,
              gint          context)
{
  FfRect grown, crop;

  if (context < 0)
    context = ff_fill_auto_context (selection, bounds);

  grown = (FfRect) {
    selection->x - context,
    selection->y - context,
    selection->width + 2 * context,
    selection->height + 2 * context,
  };
  ff_rect_intersect (&grown, bounds, &crop);
  widen_span (&crop.x, &crop.width, FF_MIN_CROP_SIDE,
              bounds->x, bounds->x + bounds->width);
  widen_span (&crop.y, &crop.height, FF_MIN_CROP_SIDE,
              bounds->y, bounds->y + bounds->height);
  snap_span (&crop.x, &crop.width, FF_MODEL_STEP, selection->x,
             selection->x + selection->width, bounds->x, bounds->x + bounds->width);
  snap_span (&crop.y, &crop.height, FF_MODEL_STEP, selection->y,
             selection->y + selection->height, bounds->y, bounds->y + bounds->height);
  return crop;
}

/* Shrinks [*start, *start + *length) to @want, never cutting into
 * [keep_start, keep_end): the cut is shared between the margins.
 */
static void
narrow_span (gint *start,
             gint *length,
             gint  want,
             gint  keep_start,
             gint  keep_end)
{
  gint before = keep_start - *start;
  gint after = *start + *length - keep_end;
  gint trim = *length - MAX (want, keep_end - keep_start);
  gint cut_front;

  if (trim <= 0)
    return;
  cut_front = before + after > 0 ? (gint) ((gint64) trim * before / (before + after)) : 0;
  cut_front = CLAMP (cut_front, trim - after, before);
  *start += cut_front;
  *length -= trim;
}

/* Brings the long span of a crop within @max_aspect times the short one:
 * the short one widened inside [lo, hi), else the long one narrowed
 * around what must be kept.
 */
static void
fit_aspect (gint        *long_start,
            gint        *long_length,
            gint        *short_start,
            gint        *short_length,
            gdouble      max_aspect,
            gint         keep_start,
            gint         keep_end,
            gint         lo,
            gint         hi)
{
  if (*long_length <= *short_length * max_aspect)
    return;
  widen_span (short_start, short_length, (gint) ceil (*long_length / max_aspect), lo, hi);
  narrow_span (long_start, long_length, (gint) floor (*short_length * max_aspect),
               keep_start, keep_end);
}

gboolean
ff_edit_crop (const FfRect *selection,
              const FfRect *bounds,
              gint          context,
              gdouble       max_aspect,
              FfRect       *crop)
{
  *crop = ff_fill_crop (selection, bounds, context);
  if (max_aspect <= 0)
    return TRUE;
  if (crop->width >= crop->height)
    fit_aspect (&crop->x, &crop->width, &crop->y, &crop->height, max_aspect,
                selection->x, selection->x + selection->width,
                bounds->y, bounds->y + bounds->height);
  else
    fit_aspect (&crop->y, &crop->height, &crop->x, &crop->width, max_aspect,
                selection->y, selection->y + selection->height,
                bounds->x, bounds->x + bounds->width);
  return MAX (crop->width, crop->height) <= MIN (crop->width, crop->height) * max_aspect;
}

static gint
scaled (gint    length,
        gdouble scale)
{
  /* Clamped: a result of a strange shape must not overflow a gint. */
  return (gint) CLAMP (lround (length * scale), 0, G_MAXINT);
}

gboolean
ff_outpaint_placement (FfOutpaint    outpaint,
                       const FfRect *source,
                       gint          result_width,
                       gint          result_height,
                       FfRect       *placement)
{
  gint    w = source->width, h = source->height;
  gint    new_w, new_h;
  gdouble factor;

  if (result_width <= 0 || result_height <= 0 || w <= 0 || h <= 0)
    return FALSE;

  switch (outpaint)
    {
    case FF_OUTPAINT_ZOOM_OUT_1_5X:
    case FF_OUTPAINT_ZOOM_OUT_2X:
      factor = outpaint == FF_OUTPAINT_ZOOM_OUT_2X ? 2.0 : 1.5;
      new_w = scaled (w, factor);
      new_h = scaled (h, factor);
      break;
    case FF_OUTPAINT_MAKE_SQUARE:
      new_w = new_h = MAX (w, h);
      break;
    case FF_OUTPAINT_LEFT:
    case FF_OUTPAINT_RIGHT:
      new_h = h;
      new_w = MAX (w, scaled (result_width, (gdouble) h / result_height));
      break;
    case FF_OUTPAINT_TOP:
    case FF_OUTPAINT_BOTTOM:
      new_w = w;
      new_h = MAX (h, scaled (result_height, (gdouble) w / result_width));
      break;
    default:
      return FALSE;
    }

  /* A result of a strange shape would ask for a giant canvas. */
  if (new_w > (gint64) w * FF_OUTPAINT_MAX_GROWTH || new_h > (gint64) h * FF_OUTPAINT_MAX_GROWTH ||
      new_w > FF_MAX_IMAGE_SIDE || new_h > FF_MAX_IMAGE_SIDE)
    return FALSE;

  /* Centred, except where one side is extended. */
  placement->width = new_w;
  placement->height = new_h;
  placement->x = source->x - (new_w - w) / 2;
  placement->y = source->y - (new_h - h) / 2;
  if (outpaint == FF_OUTPAINT_LEFT)
    placement->x = source->x - (new_w - w);
  else if (outpaint == FF_OUTPAINT_RIGHT)
    placement->x = source->x;
  else if (outpaint == FF_OUTPAINT_TOP)
    placement->y = source->y - (new_h - h);
  else if (outpaint == FF_OUTPAINT_BOTTOM)
    placement->y = source->y;
  return TRUE;
}
