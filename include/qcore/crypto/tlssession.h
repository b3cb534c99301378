/*
 * One TLS session over a byte stream, driven without blocking: the
 * owner supplies push/pull callbacks (its socket), runs the handshake as
 * the socket becomes ready, then reads and writes records.  gnutls does
 * the work.  Corresponds to QEMU's include/crypto/tlssession.h.
 * A session belongs to one thread at a time (the VNC server's: the main
 * thread); it holds a reference on its credentials.
 */
#ifndef QCORE_CRYPTO_TLSSESSION_H
#define QCORE_CRYPTO_TLSSESSION_H

#include "qcore/crypto/tlscreds.h"

typedef struct QCryptoTLSSession QCryptoTLSSession;

/* Like send()/recv(): bytes moved, or -1 with errno (EAGAIN: not now). */
typedef ssize_t (*QCryptoTLSSessionWriteFunc)(const char *buf, size_t len,
                                              void *opaque);
typedef ssize_t (*QCryptoTLSSessionReadFunc)(char *buf, size_t len,
                                             void *opaque);

typedef enum {
    QCRYPTO_TLS_HANDSHAKE_COMPLETE,
    QCRYPTO_TLS_HANDSHAKE_SENDING,      /* waits for the socket to take */
    QCRYPTO_TLS_HANDSHAKE_RECVING,      /* waits for the peer */
} QCryptoTLSSessionHandshakeStatus;

/* A session for @creds' endpoint; NULL with @errp set on failure
 * (including a bad priority= string). */
QCryptoTLSSession *qcrypto_tls_session_new(QCryptoTLSCreds *creds,
                                           Error **errp);
void qcrypto_tls_session_free(QCryptoTLSSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoTLSSession, qcrypto_tls_session_free)

void qcrypto_tls_session_set_callbacks(QCryptoTLSSession *sess,
                                       QCryptoTLSSessionWriteFunc write_func,
                                       QCryptoTLSSessionReadFunc read_func,
                                       void *opaque);

/*
 * Advance the handshake as far as the socket allows: 0 (see the status
 * for what it waits for), -1 with @errp on a failed handshake.
 */
int qcrypto_tls_session_handshake(QCryptoTLSSession *sess, Error **errp);
QCryptoTLSSessionHandshakeStatus
qcrypto_tls_session_get_handshake_status(QCryptoTLSSession *sess);

/*
 * After the handshake: with verify-peer, the peer's certificate must be
 * present, trusted and current (QEMU's messages); records the peer's
 * distinguished name.  True when acceptable.
 */
bool qcrypto_tls_session_check_credentials(QCryptoTLSSession *sess,
                                           Error **errp);
/* The peer certificate's DN once checked, or NULL. */
const char *qcrypto_tls_session_get_peer_name(QCryptoTLSSession *sess);

/*
 * Records.  write: the bytes taken, or -1 with errno (EAGAIN: call again
 * later with the same @len first, as gnutls requires).  read: bytes, 0
 * at the peer's close, or -1 with errno (EAGAIN, ECONNRESET, EIO).
 */
ssize_t qcrypto_tls_session_write(QCryptoTLSSession *sess, const char *buf,
                                  size_t len);
ssize_t qcrypto_tls_session_read(QCryptoTLSSession *sess, char *buf,
                                 size_t len);
/* Decrypted bytes gnutls holds that poll() cannot announce. */
size_t qcrypto_tls_session_check_pending(QCryptoTLSSession *sess);

#endif
