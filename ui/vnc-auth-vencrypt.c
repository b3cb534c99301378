/*
 * VeNCrypt (RFB security type 19): the version and subtype negotiation,
 * then TLS on the client's socket (crypto/tlssession.c over gnutls) and
 * the subtype's own authentication inside it (none, or the VNC
 * challenge).  Corresponds to QEMU's ui/vnc-auth-vencrypt.c, with the
 * TLS record layer QEMU's io/channel-tls.c gives it.  Main thread, BQL.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "vnc.h"
#include <sys/socket.h>

/* The largest record payload: what one gnutls_record_send may take. */
#define VNC_TLS_RECORD_MAX 16384

/* ---- the socket under TLS ---------------------------------------------- */

static ssize_t vnc_tls_push(const char *buf, size_t len, void *opaque)
{
    VncState *vs = opaque;

    return send(vs->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * Bytes the RFB reader took in with the subtype but which were already
 * the client's first TLS bytes are still in vs->input: TLS reads those
 * first.
 */
static ssize_t vnc_tls_pull(char *buf, size_t len, void *opaque)
{
    VncState *vs = opaque;

    if (vs->input->len) {
        len = MIN(len, vs->input->len);
        memcpy(buf, vs->input->data, len);
        g_byte_array_remove_range(vs->input, 0, len);
        return len;
    }
    return recv(vs->fd, buf, len, MSG_DONTWAIT);
}

ssize_t vnc_tls_send(VncState *vs, const uint8_t *data, size_t len)
{
    ssize_t n;

    /* gnutls wants a send that would block repeated with the same size;
     * the data is still at the head of the output buffer. */
    len = vs->tls_send_len ? vs->tls_send_len : MIN(len, VNC_TLS_RECORD_MAX);
    n = qcrypto_tls_session_write(vs->tls, (const char *)data, len);
    vs->tls_send_len = n < 0 && errno == EAGAIN ? len : 0;
    return n;
}

ssize_t vnc_tls_recv(VncState *vs, uint8_t *buf, size_t len)
{
    return qcrypto_tls_session_read(vs->tls, (char *)buf, len);
}

/* ---- after the handshake: the subtype's authentication ----------------- */

static void vnc_start_vencrypt_subauth(VncState *vs)
{
    switch (vs->vd->subauth) {
    case VNC_AUTH_VENCRYPT_TLSNONE:
    case VNC_AUTH_VENCRYPT_X509NONE:
        vnc_write_u32(vs, 0);           /* SecurityResult: OK */
        vnc_flush(vs);
        vnc_start_client_init(vs);
        break;
    default:                            /* TLSVNC, X509VNC */
        vnc_start_auth_vnc(vs);
        break;
    }
}

/*
 * As QEMU, a failed handshake or a peer certificate that verify-peer
 * refuses closes the connection without a message to the client (TLS
 * already told it) or to the user (QEMU only traces it).
 */
void vnc_tls_handshake_io(void *opaque)
{
    VncState *vs = opaque;
    Error *err = NULL;

    if (qcrypto_tls_session_handshake(vs->tls, &err) < 0) {
        error_free(err);
        vnc_disconnect(vs);
        return;
    }
    switch (qcrypto_tls_session_get_handshake_status(vs->tls)) {
    case QCRYPTO_TLS_HANDSHAKE_COMPLETE:
        if (!qcrypto_tls_session_check_credentials(vs->tls, &err)) {
            error_free(err);
            vnc_disconnect(vs);
            return;
        }
        vs->tls_handshaking = false;
        vnc_set_handlers(vs);
        vnc_start_vencrypt_subauth(vs);
        break;
    case QCRYPTO_TLS_HANDSHAKE_SENDING:
        qemu_set_fd_handler(vs->fd, NULL, vnc_tls_handshake_io, vs);
        break;
    case QCRYPTO_TLS_HANDSHAKE_RECVING:
        qemu_set_fd_handler(vs->fd, vnc_tls_handshake_io, NULL, vs);
        break;
    }
}

/* ---- the VeNCrypt negotiation ------------------------------------------ */

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int protocol_client_vencrypt_auth(VncState *vs, uint8_t *data,
                                         size_t len)
{
    Error *err = NULL;

    if (get_u32(data) != (uint32_t)vs->vd->subauth) {
        vnc_write_u8(vs, 0);            /* refused */
        vnc_flush(vs);
        vnc_disconnect(vs);
        return 0;
    }
    vnc_write_u8(vs, 1);                /* accepted: TLS starts */
    vnc_flush(vs);
    if (vs->closing) {
        return 0;
    }
    if (vs->output->len) {
        /* One byte the socket would not take: nothing TLS can follow. */
        vnc_disconnect(vs);
        return 0;
    }
    vs->tls = qcrypto_tls_session_new(vs->vd->tlscreds, &err);
    if (!vs->tls) {
        /* A bad priority= string, say: QEMU traces it and closes. */
        error_free(err);
        vnc_disconnect(vs);
        return 0;
    }
    qcrypto_tls_session_set_callbacks(vs->tls, vnc_tls_push, vnc_tls_pull,
                                      vs);
    /* vnc_client_read stops feeding the RFB reader, drops the 4 bytes
     * just read and hands the socket (and what is left in vs->input) to
     * the handshake. */
    vs->tls_handshaking = true;
    return 0;
}

static int protocol_client_vencrypt_init(VncState *vs, uint8_t *data,
                                         size_t len)
{
    if (data[0] != 0 || data[1] != 2) {
        vnc_write_u8(vs, 1);            /* not a version we speak */
        vnc_flush(vs);
        vnc_disconnect(vs);
        return 0;
    }
    vnc_write_u8(vs, 0);                /* version 0.2 accepted */
    vnc_write_u8(vs, 1);                /* one subtype: the display's */
    vnc_write_u32(vs, vs->vd->subauth);
    vnc_flush(vs);
    vnc_read_when(vs, protocol_client_vencrypt_auth, 4);
    return 0;
}

void vnc_start_vencrypt(VncState *vs)
{
    vnc_write_u8(vs, 0);                /* VeNCrypt 0.2 */
    vnc_write_u8(vs, 2);
    vnc_flush(vs);
    vnc_read_when(vs, protocol_client_vencrypt_init, 2);
}
