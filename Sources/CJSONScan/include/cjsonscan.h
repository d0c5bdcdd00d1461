#ifndef CJSONSCAN_H
#define CJSONSCAN_H
#include <stdint.h>

/// Bit i of each mask describes byte i of a 64-byte block.
typedef struct {
    uint64_t quote;      /* '"' */
    uint64_t backslash;  /* '\\' */
    uint64_t open;       /* '{' or '[' */
    uint64_t close;      /* '}' or ']' */
} cjsonscan_masks;

/// Classifies the 64 bytes at p (which must all be readable).
cjsonscan_masks cjsonscan_block(const uint8_t *p);

#endif
