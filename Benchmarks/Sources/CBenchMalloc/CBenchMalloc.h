// glibc's heap statistics (mallinfo2, malloc_trim) for cache-memory: a header only.
#include <malloc.h>
