// Vectorised base64url decoding for the bulk of a token's segments (x86-64 with SSSE3; elsewhere
// the Swift decoder does all the work). Validation is the same as the Swift decoder's: the
// alphabet `A-Z a-z 0-9 - _` only; whatever is left over (fewer than 16 characters, including
// the last partial group and its unused-bits rule) is for the caller to decode.
#ifndef STYTCH_BASE64URL_SIMD_H
#define STYTCH_BASE64URL_SIMD_H

#include <stddef.h>
#include <stdint.h>

/// Decodes whole 16-character blocks of `source` (of `count` bytes) into `destination`, 12 bytes
/// per block, writing nothing past `destination + 12 * blocks`. Returns the number of characters
/// decoded (a multiple of 16; 0 when the processor lacks SSSE3 or is not x86), or -1 when a
/// character outside the base64url alphabet was seen (the bytes written are then meaningless).
ptrdiff_t stytch_base64url_decode_blocks(const uint8_t *source, size_t count, uint8_t *destination);

#endif
