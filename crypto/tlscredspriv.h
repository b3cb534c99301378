/*
 * The TLS credentials objects' state, shared by crypto/tlscreds*.c and
 * crypto/tlssession.c.  Corresponds to QEMU's crypto/tlscredspriv.h.
 */
#ifndef CRYPTO_TLSCREDSPRIV_H
#define CRYPTO_TLSCREDSPRIV_H

#include "qcore/crypto/tlscreds.h"
#include <gnutls/gnutls.h>

/* Set by properties before complete; the gnutls handles after it. */
struct QCryptoTLSCreds {
    Object parent_obj;
    char *dir;
    QCryptoTLSCredsEndpoint endpoint;
    bool verify_peer;
    char *priority;                     /* NULL: gnutls' "NORMAL" */
    bool sanity_check;                  /* tls-creds-x509 */
    bool loaded;
    gnutls_dh_params_t dh_params;       /* servers, from dh-params.pem */
    gnutls_anon_server_credentials_t anon_server;
    gnutls_anon_client_credentials_t anon_client;
    gnutls_certificate_credentials_t x509;
};

typedef struct QCryptoTLSCredsClass {
    ObjectClass parent_class;
    bool (*load)(QCryptoTLSCreds *creds, Error **errp);
} QCryptoTLSCredsClass;

#define QCRYPTO_TLS_CREDS_CLASS(klass) \
    OBJECT_CLASS_CHECK(QCryptoTLSCredsClass, (klass), TYPE_QCRYPTO_TLS_CREDS)
#define QCRYPTO_TLS_CREDS_GET_CLASS(obj) \
    OBJECT_GET_CLASS(QCryptoTLSCredsClass, (obj), TYPE_QCRYPTO_TLS_CREDS)

/*
 * dir/@filename into *@path if it can be read; a missing optional file
 * leaves NULL.  QEMU's errors: "Missing 'dir' property value", "Unable to
 * access credentials PATH: ...".
 */
bool qcrypto_tls_creds_get_path(QCryptoTLSCreds *creds, const char *filename,
                                bool required, char **path, Error **errp);
/* dh-params.pem if given, else the RFC 7919 group (see tlscreds.c). */
bool qcrypto_tls_creds_get_dh_params(QCryptoTLSCreds *creds,
                                     const char *path, Error **errp);
/*
 * QEMU's wording for a gnutls verification @status (the last matching
 * flag wins, as QEMU checks them in turn), or NULL when none is set.
 */
const char *qcrypto_tls_cert_status_reason(unsigned int status);

#endif
