/*
 * QEMUIOVector: a growable scatter/gather list with its total size, the
 * currency of the block layer's request path.  Corresponds to QEMU's
 * include/qemu/iov.h and util/iov.c (the subset the block layer needs).
 */
#ifndef QCORE_IOV_H
#define QCORE_IOV_H

#include "qcore/osdep.h"
#include <sys/uio.h>

typedef struct QEMUIOVector {
    struct iovec *iov;
    int niov;
    /* -1: iov points at local_iov (qemu_iovec_init_buf), never grown. */
    int nalloc;
    size_t size;
    struct iovec local_iov;
} QEMUIOVector;

size_t iov_size(const struct iovec *iov, unsigned int iov_cnt);
size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt,
                    size_t offset, const void *buf, size_t bytes);
size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, void *buf, size_t bytes);
size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes);

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);
/* A one-element vector over @buf; needs no destroy. */
void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len);
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);
/* Append @bytes of @src starting at @soffset (the memory is shared). */
void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src,
                       size_t soffset, size_t bytes);
/* A vector (initialised here) viewing @bytes of @src from @offset. */
void qemu_iovec_init_slice(QEMUIOVector *qiov, QEMUIOVector *src,
                           size_t offset, size_t bytes);
void qemu_iovec_reset(QEMUIOVector *qiov);
void qemu_iovec_destroy(QEMUIOVector *qiov);
size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes);
size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes);
size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset,
                         int fillc, size_t bytes);
/* True when every element's base and length are multiples of @align. */
bool qemu_iovec_is_aligned(QEMUIOVector *qiov, size_t align);
/* True when the bytes are all zero. */
bool buffer_is_zero(const void *buf, size_t len);

#endif
