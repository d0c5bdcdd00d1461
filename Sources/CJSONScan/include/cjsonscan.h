#ifndef CJSONSCAN_H
#define CJSONSCAN_H
#include <stddef.h>
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

/// The first occurrence of needle[0..<m] in p[0..<n] (glibc's memmem, which Swift's Glibc
/// module does not import), or NULL.
const uint8_t *cjsonscan_find(const uint8_t *p, size_t n, const uint8_t *needle, size_t m);

#endif
