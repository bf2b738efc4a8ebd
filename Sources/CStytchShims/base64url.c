// Written for this project from the published technique of Wojciech Muła and Daniel Lemire
// ("Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018): classify each byte by
// its two nibbles with table shuffles, add a per-range offset, then merge the 6-bit values with
// multiply-adds and one byte shuffle. The tables here are for the URL-safe alphabet.
#include "stytch_vector.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

enum { LEVEL_UNKNOWN = 0, LEVEL_NONE = 1, LEVEL_SSSE3 = 2, LEVEL_AVX2 = 3 };

/// The best vector level the processor and the operating system allow (asked once).
static int best_level(void) {
    static int known = LEVEL_UNKNOWN;
    int level = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (level == LEVEL_UNKNOWN) {
        unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
        level = LEVEL_NONE;
        if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSSE3)) {
            level = LEVEL_SSSE3;
            // AVX2 needs the processor's flag and the OS saving the YMM registers (OSXSAVE, XCR0).
            const int osxsave = (ecx & bit_OSXSAVE) != 0;
            if (osxsave && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX2)) {
                unsigned int xcr0_low = 0, xcr0_high = 0;
                __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
                if ((xcr0_low & 0x6) == 0x6) level = LEVEL_AVX2;
            }
        }
        __atomic_store_n(&known, level, __ATOMIC_RELAXED);
    }
    return level;
}

// A character is valid when (INVALID_FOR_LOW[low nibble] & CLASS_OF_HIGH[high nibble]) == 0.
// Classes (one bit each) by high nibble: 0x2_ (only '-' = 0x2D), 0x3_ ('0'-'9'), 0x4_ and 0x6_
// ('A'-'O', 'a'-'o': low nibbles 1-F), 0x5_ ('P'-'Z' and '_'), 0x7_ ('p'-'z'). Every other high
// nibble (0x0_, 0x1_, 0x8_-0xF_) gets all bits, and every low nibble is invalid in at least one
// class, so those bytes are always refused.
#define INVALID_FOR_LOW \
    0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x03, 0x1B, 0x1B, 0x1A, 0x1B, 0x13
#define CLASS_OF_HIGH \
    (char)0xFF, (char)0xFF, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10, \
    (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF
// What to add to a valid character to get its 6-bit value, by high nibble: '-' +17 (62), digits
// +4 (52-61), upper case -65 (0-25), lower case -71 (26-51); '_' (in the 0x5_ row, -65) needs 33
// more to reach 63.
#define OFFSET_BY_HIGH 0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0
// Each 32-bit lane holds its 24 bits little-endian; output wants them most significant first.
#define PACK 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1

__attribute__((target("ssse3")))
static ptrdiff_t decode_blocks_ssse3(const uint8_t *source, size_t count, uint8_t *destination) {
    const __m128i invalid_for_low = _mm_setr_epi8(INVALID_FOR_LOW);
    const __m128i class_of_high = _mm_setr_epi8(CLASS_OF_HIGH);
    const __m128i offset_by_high = _mm_setr_epi8(OFFSET_BY_HIGH);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    const __m128i underscore = _mm_set1_epi8(0x5F);
    const __m128i underscore_extra = _mm_set1_epi8(33);
    // Two 6-bit values into 12 bits (first * 64 + second), then two of those into 24 bits.
    const __m128i merge_pairs = _mm_set1_epi32(0x01400140);
    const __m128i merge_quads = _mm_set1_epi32(0x00011000);
    const __m128i pack = _mm_setr_epi8(PACK);
    __m128i errors = _mm_setzero_si128();
    size_t in = 0, out = 0;
    while (count - in >= 16) {
        const __m128i characters = _mm_loadu_si128((const __m128i *)(source + in));
        const __m128i high = _mm_and_si128(_mm_srli_epi16(characters, 4), nibble);
        const __m128i low = _mm_and_si128(characters, nibble);
        errors = _mm_or_si128(errors, _mm_and_si128(
            _mm_shuffle_epi8(invalid_for_low, low), _mm_shuffle_epi8(class_of_high, high)));
        const __m128i offset = _mm_add_epi8(
            _mm_shuffle_epi8(offset_by_high, high),
            _mm_and_si128(_mm_cmpeq_epi8(characters, underscore), underscore_extra));
        const __m128i values = _mm_add_epi8(characters, offset);
        const __m128i merged = _mm_madd_epi16(_mm_maddubs_epi16(values, merge_pairs), merge_quads);
        const __m128i bytes = _mm_shuffle_epi8(merged, pack);
        // Exactly the 12 bytes of this block: 8, then 4.
        _mm_storel_epi64((__m128i *)(destination + out), bytes);
        const uint32_t last = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(bytes, 8));
        memcpy(destination + out + 8, &last, sizeof last);
        in += 16;
        out += 12;
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(errors, _mm_setzero_si128())) != 0xFFFF) return -1;
    return (ptrdiff_t)in;
}

/// The same steps on 32 characters at a time (each 128-bit half as above), then a last block of
/// 16 with the SSSE3 loop.
__attribute__((target("avx2")))
static ptrdiff_t decode_blocks_avx2(const uint8_t *source, size_t count, uint8_t *destination) {
    const __m256i invalid_for_low = _mm256_setr_epi8(INVALID_FOR_LOW, INVALID_FOR_LOW);
    const __m256i class_of_high = _mm256_setr_epi8(CLASS_OF_HIGH, CLASS_OF_HIGH);
    const __m256i offset_by_high = _mm256_setr_epi8(OFFSET_BY_HIGH, OFFSET_BY_HIGH);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i underscore = _mm256_set1_epi8(0x5F);
    const __m256i underscore_extra = _mm256_set1_epi8(33);
    const __m256i merge_pairs = _mm256_set1_epi32(0x01400140);
    const __m256i merge_quads = _mm256_set1_epi32(0x00011000);
    const __m256i pack = _mm256_setr_epi8(PACK, PACK);
    __m256i errors = _mm256_setzero_si256();
    size_t in = 0, out = 0;
    while (count - in >= 32) {
        const __m256i characters = _mm256_loadu_si256((const __m256i *)(source + in));
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(characters, 4), nibble);
        const __m256i low = _mm256_and_si256(characters, nibble);
        errors = _mm256_or_si256(errors, _mm256_and_si256(
            _mm256_shuffle_epi8(invalid_for_low, low), _mm256_shuffle_epi8(class_of_high, high)));
        const __m256i offset = _mm256_add_epi8(
            _mm256_shuffle_epi8(offset_by_high, high),
            _mm256_and_si256(_mm256_cmpeq_epi8(characters, underscore), underscore_extra));
        const __m256i values = _mm256_add_epi8(characters, offset);
        const __m256i merged = _mm256_madd_epi16(_mm256_maddubs_epi16(values, merge_pairs), merge_quads);
        const __m256i bytes = _mm256_shuffle_epi8(merged, pack);
        // 24 bytes: the first half's 12 (stored as 16, the last 4 overwritten next), then the
        // second half's 12 exactly (8, then 4).
        const __m128i second = _mm256_extracti128_si256(bytes, 1);
        _mm_storeu_si128((__m128i *)(destination + out), _mm256_castsi256_si128(bytes));
        _mm_storel_epi64((__m128i *)(destination + out + 12), second);
        const uint32_t last = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(second, 8));
        memcpy(destination + out + 20, &last, sizeof last);
        in += 32;
        out += 24;
    }
    if (!_mm256_testz_si256(errors, errors)) return -1;
    if (count - in < 16) return (ptrdiff_t)in;
    const ptrdiff_t tail = decode_blocks_ssse3(source + in, count - in, destination + out);
    return tail < 0 ? -1 : (ptrdiff_t)in + tail;
}

static ptrdiff_t decode_blocks_at(int level, const uint8_t *source, size_t count, uint8_t *destination) {
    if (count < 16) return 0;
    switch (level) {
    case LEVEL_AVX2: return decode_blocks_avx2(source, count, destination);
    case LEVEL_SSSE3: return decode_blocks_ssse3(source, count, destination);
    default: return 0;
    }
}
#endif

/// Whether `capacity` bytes hold what whole blocks of `count` characters decode to (12 per 16).
static int fits(size_t count, size_t capacity) {
    return count / 16 <= capacity / 12;
}

ptrdiff_t stytch_base64url_decode_blocks(const uint8_t *source, size_t count, uint8_t *destination, size_t capacity) {
    if (source == NULL || destination == NULL) return STYTCH_BASE64URL_BAD_ARGUMENT;
    if (!fits(count, capacity)) return STYTCH_BASE64URL_BAD_ARGUMENT;
#if defined(__x86_64__)
    return decode_blocks_at(best_level(), source, count, destination);
#else
    return 0;
#endif
}

int stytch_base64url_vector_level(void) {
#if defined(__x86_64__)
    return best_level() - LEVEL_NONE;
#else
    return 0;
#endif
}

ptrdiff_t stytch_base64url_decode_blocks_at_level(int level, const uint8_t *source, size_t count, uint8_t *destination, size_t capacity) {
    if (source == NULL || destination == NULL) return STYTCH_BASE64URL_BAD_ARGUMENT;
    if (!fits(count, capacity)) return STYTCH_BASE64URL_BAD_ARGUMENT;
#if defined(__x86_64__)
    if (level < 1 || level > best_level() - LEVEL_NONE) return 0;
    return decode_blocks_at(level + LEVEL_NONE, source, count, destination);
#else
    (void)level;
    return 0;
#endif
}
