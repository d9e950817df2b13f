/*
 * For tests/threads_tsan.rs's run against a libpycoro built with ThreadSanitizer by rustc
 * (LLVM): the Rust code calls __tsan_memcpy/__tsan_memmove/__tsan_memset, which gcc 12's
 * libtsan does not have. These forward to the C library's functions, which libtsan
 * intercepts (so the accesses are still checked). The program is linked with -rdynamic so
 * that libpycoro finds them.
 */
#include <string.h>

void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n);
void *__tsan_memset(void *dst, int c, size_t n);

void *__tsan_memcpy(void *dst, const void *src, size_t n)
{
    return memcpy(dst, src, n);
}

void *__tsan_memmove(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *__tsan_memset(void *dst, int c, size_t n)
{
    return memset(dst, c, n);
}
