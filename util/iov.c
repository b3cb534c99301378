/*
 * QEMUIOVector helpers: copy to and from scatter/gather lists, slices.
 * Corresponds to QEMU's util/iov.c.
 */
#include "qcore/osdep.h"
#include "qcore/iov.h"

size_t iov_size(const struct iovec *iov, unsigned int iov_cnt)
{
    size_t len = 0;

    for (unsigned i = 0; i < iov_cnt; i++) {
        len += iov[i].iov_len;
    }
    return len;
}

/*
 * The one walk behind the three copies: @op gets each piece of the
 * vector that overlaps [offset, offset + bytes) and where it sits in the
 * flat buffer.
 */
static size_t iov_walk(const struct iovec *iov, unsigned int iov_cnt,
                       size_t offset, size_t bytes,
                       void (*op)(void *piece, size_t len, size_t done,
                                  void *opaque),
                       void *opaque)
{
    size_t done = 0;

    for (unsigned i = 0; i < iov_cnt && done < bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = MIN(iov[i].iov_len - offset, bytes - done);
        op((char *)iov[i].iov_base + offset, len, done, opaque);
        done += len;
        offset = 0;
    }
    return done;
}

static void op_from(void *piece, size_t len, size_t done, void *opaque)
{
    memcpy(piece, (const char *)opaque + done, len);
}

static void op_to(void *piece, size_t len, size_t done, void *opaque)
{
    memcpy((char *)opaque + done, piece, len);
}

static void op_set(void *piece, size_t len, size_t done, void *opaque)
{
    memset(piece, *(int *)opaque, len);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt,
                    size_t offset, const void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, op_from, (void *)buf);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, op_to, buf);
}

size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, op_set, &fillc);
}

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint)
{
    alloc_hint = MAX(alloc_hint, 1);
    qiov->iov = g_new(struct iovec, alloc_hint);
    qiov->niov = 0;
    qiov->nalloc = alloc_hint;
    qiov->size = 0;
}

void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len)
{
    qiov->local_iov.iov_base = buf;
    qiov->local_iov.iov_len = len;
    qiov->iov = &qiov->local_iov;
    qiov->niov = 1;
    qiov->nalloc = -1;
    qiov->size = len;
}

void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len)
{
    assert(qiov->nalloc != -1);
    if (len == 0) {
        return;
    }
    if (qiov->niov == qiov->nalloc) {
        qiov->nalloc = 2 * qiov->nalloc + 1;
        qiov->iov = g_renew(struct iovec, qiov->iov, qiov->nalloc);
    }
    qiov->iov[qiov->niov].iov_base = base;
    qiov->iov[qiov->niov].iov_len = len;
    qiov->niov++;
    qiov->size += len;
}

void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src,
                       size_t soffset, size_t bytes)
{
    for (int i = 0; i < src->niov && bytes > 0; i++) {
        if (soffset >= src->iov[i].iov_len) {
            soffset -= src->iov[i].iov_len;
            continue;
        }
        size_t len = MIN(src->iov[i].iov_len - soffset, bytes);
        qemu_iovec_add(dst, (char *)src->iov[i].iov_base + soffset, len);
        bytes -= len;
        soffset = 0;
    }
}

void qemu_iovec_init_slice(QEMUIOVector *qiov, QEMUIOVector *src,
                           size_t offset, size_t bytes)
{
    qemu_iovec_init(qiov, src->niov);
    qemu_iovec_concat(qiov, src, offset, bytes);
}

void qemu_iovec_reset(QEMUIOVector *qiov)
{
    assert(qiov->nalloc != -1);
    qiov->niov = 0;
    qiov->size = 0;
}

void qemu_iovec_destroy(QEMUIOVector *qiov)
{
    if (qiov->nalloc != -1) {
        g_free(qiov->iov);
    }
    memset(qiov, 0, sizeof(*qiov));
}

size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes)
{
    return iov_to_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes)
{
    return iov_from_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset,
                         int fillc, size_t bytes)
{
    return iov_memset(qiov->iov, qiov->niov, offset, fillc, bytes);
}

bool qemu_iovec_is_aligned(QEMUIOVector *qiov, size_t align)
{
    for (int i = 0; i < qiov->niov; i++) {
        if ((uintptr_t)qiov->iov[i].iov_base % align ||
            qiov->iov[i].iov_len % align) {
            return false;
        }
    }
    return true;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    /* Compare the buffer with itself shifted by one byte: all equal to
     * the first byte, and the first byte is 0. */
    return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}
