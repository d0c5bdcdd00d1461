// Byte classification for TailshipPolicy's JSON skipper. Swift has no
// portable way to turn a vector comparison into a bit mask (pmovmskb), so
// this one loop lives in C: SSE2 on x86-64, plain bytes elsewhere.
#define _GNU_SOURCE
#include <string.h>
#include "cjsonscan.h"

const uint8_t *cjsonscan_find(const uint8_t *p, size_t n, const uint8_t *needle, size_t m) {
    return memmem(p, n, needle, m);
}

#if defined(__SSE2__)
#include <emmintrin.h>

cjsonscan_masks cjsonscan_block(const uint8_t *p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}');
    const __m128i case_bit = _mm_set1_epi8(0x20); /* '[' | 0x20 == '{', ']' | 0x20 == '}' */
    cjsonscan_masks m = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i lower = _mm_or_si128(v, case_bit);
        int shift = 16 * k;
        m.quote |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << shift;
        m.backslash |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) << shift;
        m.open |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lower, open)) << shift;
        m.close |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lower, close)) << shift;
    }
    return m;
}

#else

cjsonscan_masks cjsonscan_block(const uint8_t *p) {
    cjsonscan_masks m = {0, 0, 0, 0};
    for (int i = 0; i < 64; i++) {
        uint8_t c = p[i];
        uint8_t lower = c | 0x20;
        uint64_t bit = (uint64_t)1 << i;
        if (c == '"') m.quote |= bit;
        if (c == '\\') m.backslash |= bit;
        if (lower == '{') m.open |= bit;
        if (lower == '}') m.close |= bit;
    }
    return m;
}

#endif
