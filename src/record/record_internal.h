/* What the read and write halves of the record layer share, and nothing
 * outside src/record/ uses. */
#ifndef SESAME_RECORD_INTERNAL_H
#define SESAME_RECORD_INTERNAL_H

#include "record/record.h"

/* rec_wbuf_release wipes (the part ever used) and frees the output buffer
 * if it holds no unsent bytes. */
void rec_wbuf_release(struct rec_layer *rl);

#endif
