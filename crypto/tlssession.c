/*
 * A TLS session over the owner's push/pull callbacks, with gnutls in
 * non-blocking mode: the handshake and each record call return at once
 * when the socket is not ready.  Corresponds to QEMU's
 * crypto/tlssession.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "tlscredspriv.h"
#include "qcore/crypto/tlssession.h"
#include <gnutls/x509.h>

/* Owned by one thread at a time (see the header). */
struct QCryptoTLSSession {
    QCryptoTLSCreds *creds;             /* a reference */
    gnutls_session_t handle;
    bool handshake_done;
    char *peername;
    QCryptoTLSSessionWriteFunc write_func;
    QCryptoTLSSessionReadFunc read_func;
    void *opaque;
};

static ssize_t session_push(gnutls_transport_ptr_t ptr, const void *buf,
                            size_t len)
{
    QCryptoTLSSession *sess = ptr;
    ssize_t n = sess->write_func(buf, len, sess->opaque);

    if (n < 0) {
        gnutls_transport_set_errno(sess->handle, errno);
    }
    return n;
}

static ssize_t session_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    QCryptoTLSSession *sess = ptr;
    ssize_t n = sess->read_func(buf, len, sess->opaque);

    if (n < 0) {
        gnutls_transport_set_errno(sess->handle, errno);
    }
    return n;
}

QCryptoTLSSession *qcrypto_tls_session_new(QCryptoTLSCreds *creds,
                                           Error **errp)
{
    g_autoptr(QCryptoTLSSession) sess = g_new0(QCryptoTLSSession, 1);
    bool server = creds->endpoint == QCRYPTO_TLS_CREDS_ENDPOINT_SERVER;
    const char *base = creds->priority ? creds->priority : "NORMAL";
    g_autofree char *prio = NULL;
    const char *err = NULL;
    int ret;

    sess->creds = creds;
    object_ref(OBJECT(creds));
    ret = gnutls_init(&sess->handle,
                      (server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
                      GNUTLS_NONBLOCK);
    if (ret < 0) {
        sess->handle = NULL;
        error_setg(errp, "Cannot initialize TLS session: %s",
                   gnutls_strerror(ret));
        return NULL;
    }
    /* Anonymous DH is not in gnutls' default set: add it, as QEMU. */
    prio = qcrypto_tls_creds_is_anon(creds) ?
           g_strdup_printf("%s:+ANON-DH", base) : g_strdup(base);
    ret = gnutls_priority_set_direct(sess->handle, prio, &err);
    if (ret < 0) {
        error_setg(errp, "Unable to set TLS session priority %s: %s",
                   prio, gnutls_strerror(ret));
        return NULL;
    }
    if (qcrypto_tls_creds_is_anon(creds)) {
        ret = server ? gnutls_credentials_set(sess->handle, GNUTLS_CRD_ANON,
                                              creds->anon_server)
                     : gnutls_credentials_set(sess->handle, GNUTLS_CRD_ANON,
                                              creds->anon_client);
    } else {
        ret = gnutls_credentials_set(sess->handle, GNUTLS_CRD_CERTIFICATE,
                                     creds->x509);
        if (server && creds->verify_peer) {
            gnutls_certificate_server_set_request(sess->handle,
                                                  GNUTLS_CERT_REQUEST);
        }
    }
    if (ret < 0) {
        error_setg(errp, "Cannot set session credentials: %s",
                   gnutls_strerror(ret));
        return NULL;
    }
    gnutls_transport_set_ptr(sess->handle, sess);
    gnutls_transport_set_push_function(sess->handle, session_push);
    gnutls_transport_set_pull_function(sess->handle, session_pull);
    return g_steal_pointer(&sess);
}

void qcrypto_tls_session_free(QCryptoTLSSession *sess)
{
    if (!sess) {
        return;
    }
    if (sess->handle) {
        gnutls_deinit(sess->handle);
    }
    object_unref(OBJECT(sess->creds));
    g_free(sess->peername);
    g_free(sess);
}

void qcrypto_tls_session_set_callbacks(QCryptoTLSSession *sess,
                                       QCryptoTLSSessionWriteFunc write_func,
                                       QCryptoTLSSessionReadFunc read_func,
                                       void *opaque)
{
    sess->write_func = write_func;
    sess->read_func = read_func;
    sess->opaque = opaque;
}

int qcrypto_tls_session_handshake(QCryptoTLSSession *sess, Error **errp)
{
    int ret = gnutls_handshake(sess->handle);

    if (ret == 0) {
        sess->handshake_done = true;
        return 0;
    }
    if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
        return 0;
    }
    error_setg(errp, "TLS handshake failed: %s", gnutls_strerror(ret));
    return -1;
}

QCryptoTLSSessionHandshakeStatus
qcrypto_tls_session_get_handshake_status(QCryptoTLSSession *sess)
{
    if (sess->handshake_done) {
        return QCRYPTO_TLS_HANDSHAKE_COMPLETE;
    }
    return gnutls_record_get_direction(sess->handle) ?
           QCRYPTO_TLS_HANDSHAKE_SENDING : QCRYPTO_TLS_HANDSHAKE_RECVING;
}

/* The peer's certificate chain, with QEMU's reasons for refusing it. */
static bool session_check_certificate(QCryptoTLSSession *sess, Error **errp)
{
    const gnutls_datum_t *certs;
    unsigned status = 0, ncerts = 0;
    time_t now = time(NULL);
    int ret;

    ret = gnutls_certificate_verify_peers2(sess->handle, &status);
    if (ret < 0) {
        error_setg(errp, "Cannot verify TLS session: %s",
                   gnutls_strerror(ret));
        return false;
    }
    if (status) {
        const char *reason = qcrypto_tls_cert_status_reason(status);

        if (!reason) {
            reason = "Invalid certificate";
        }
        error_setg(errp, "%s", reason);
        return false;
    }
    certs = gnutls_certificate_get_peers(sess->handle, &ncerts);
    if (!certs || !ncerts) {
        error_setg(errp, "No certificate peers");
        return false;
    }
    for (unsigned i = 0; i < ncerts; i++) {
        gnutls_x509_crt_t cert;
        bool ok = true;

        if (gnutls_x509_crt_init(&cert) < 0) {
            error_setg(errp, "Cannot initialize certificate");
            return false;
        }
        if (gnutls_x509_crt_import(cert, &certs[i], GNUTLS_X509_FMT_DER) < 0) {
            error_setg(errp, "Cannot import certificate");
            ok = false;
        } else if (gnutls_x509_crt_get_expiration_time(cert) < now) {
            error_setg(errp, "The certificate has expired");
            ok = false;
        } else if (gnutls_x509_crt_get_activation_time(cert) > now) {
            error_setg(errp, "The certificate is not yet activated");
            ok = false;
        } else if (i == 0) {
            size_t len = 0;

            gnutls_x509_crt_get_dn(cert, NULL, &len);
            sess->peername = g_malloc0(len + 1);
            if (gnutls_x509_crt_get_dn(cert, sess->peername, &len) < 0) {
                g_clear_pointer(&sess->peername, g_free);
            }
        }
        gnutls_x509_crt_deinit(cert);
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool qcrypto_tls_session_check_credentials(QCryptoTLSSession *sess,
                                           Error **errp)
{
    if (qcrypto_tls_creds_is_anon(sess->creds) ||
        !sess->creds->verify_peer) {
        return true;
    }
    return session_check_certificate(sess, errp);
}

const char *qcrypto_tls_session_get_peer_name(QCryptoTLSSession *sess)
{
    return sess->peername;
}

static ssize_t session_error(int ret)
{
    switch (ret) {
    case GNUTLS_E_AGAIN:
        errno = EAGAIN;
        break;
    case GNUTLS_E_INTERRUPTED:
        errno = EINTR;
        break;
    case GNUTLS_E_PREMATURE_TERMINATION:
        errno = ECONNABORTED;
        break;
    default:
        errno = EIO;
        break;
    }
    return -1;
}

ssize_t qcrypto_tls_session_write(QCryptoTLSSession *sess, const char *buf,
                                  size_t len)
{
    ssize_t ret = gnutls_record_send(sess->handle, buf, len);

    return ret < 0 ? session_error(ret) : ret;
}

ssize_t qcrypto_tls_session_read(QCryptoTLSSession *sess, char *buf,
                                 size_t len)
{
    ssize_t ret = gnutls_record_recv(sess->handle, buf, len);

    return ret < 0 ? session_error(ret) : ret;
}

size_t qcrypto_tls_session_check_pending(QCryptoTLSSession *sess)
{
    return gnutls_record_check_pending(sess->handle);
}
