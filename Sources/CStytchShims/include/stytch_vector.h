// Vectorised byte routines for the hot path of token parsing, where Swift has no portable way to
// use the processor's byte-shuffle and byte-compare instructions:
// - base64url decoding of the bulk of a token's segments (x86-64 with AVX2 or SSSE3), and
// - finding the end of a plain run in a JSON string (x86-64: SSE2, which every x86-64 has).
// Elsewhere the Swift code does all the work. Each routine applies exactly the rules of the
// Swift code it stands in for, and the tests compare the two.
#ifndef STYTCH_VECTOR_H
#define STYTCH_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/// Returned by the decoders below, before anything is read or written, for a null pointer or a
/// `capacity` smaller than `12 * (count / 16)`.
#define STYTCH_BASE64URL_BAD_ARGUMENT ((ptrdiff_t)-2)

/// Decodes whole 16-character blocks of `source` (of `count` bytes) into `destination` (of
/// `capacity` bytes), 12 bytes per block, writing nothing past `destination + 12 * blocks`, with
/// the best vector level this machine has. Validation is the Swift decoder's: the alphabet
/// `A-Z a-z 0-9 - _` only; whatever is left over (fewer than 16 characters, including the last
/// partial group and its unused-bits rule) is for the caller to decode. Returns the number of
/// characters decoded (a multiple of 16; 0 when the processor lacks SSSE3 or is not x86), -1 when
/// a character outside the base64url alphabet was seen (the bytes written are then meaningless),
/// or `STYTCH_BASE64URL_BAD_ARGUMENT` when the destination cannot hold the blocks.
ptrdiff_t stytch_base64url_decode_blocks(const uint8_t *source, size_t count, uint8_t *destination, size_t capacity);

/// The vector level `stytch_base64url_decode_blocks` uses: 0 none, 1 SSSE3, 2 AVX2.
int stytch_base64url_vector_level(void);

/// As `stytch_base64url_decode_blocks` at a given level (1 SSSE3, 2 AVX2), for tests to cover
/// every level this machine has; returns 0 for a level it does not have.
ptrdiff_t stytch_base64url_decode_blocks_at_level(int level, const uint8_t *source, size_t count, uint8_t *destination, size_t capacity);

/// Whether `stytch_plain_run_end` is vectorised here (otherwise the caller scans itself).
static inline int stytch_plain_run_end_is_vectorised(void) {
#if defined(__x86_64__)
    return 1;
#else
    return 0;
#endif
}

/// The index of the first byte at or after `start` in `bytes[0..<count]` that is a quote, a
/// backslash, a control character (below 0x20) or not ASCII (0x80 and above), looking at 16 bytes
/// per step; or the index from which fewer than 16 bytes remain, for the caller to finish byte by
/// byte (it returns `start` unchanged where it is not vectorised, or when `bytes` is null or
/// `start` is not below `count`).
static inline size_t stytch_plain_run_end(const uint8_t *bytes, size_t count, size_t start) {
    if (bytes == NULL || start >= count) return start;
#if defined(__x86_64__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    size_t index = start;
    while (count - index >= 16) {
        const __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + index));
        // A signed compare with 0x20 flags control characters and, as negative bytes, non-ASCII.
        const __m128i flagged = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
            _mm_cmplt_epi8(chunk, space));
        const unsigned int mask = (unsigned int)_mm_movemask_epi8(flagged);
        if (mask != 0) return index + (size_t)__builtin_ctz(mask);
        index += 16;
    }
    return index;
#else
    (void)bytes;
    (void)count;
    return start;
#endif
}

#endif
