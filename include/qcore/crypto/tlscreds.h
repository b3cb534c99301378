/*
 * TLS credentials as user-creatable objects: tls-creds-anon and
 * tls-creds-x509, loaded from a directory of PEM files when created with
 * -object.  Corresponds to QEMU's include/crypto/tlscreds.h,
 * tlscredsanon.h and tlscredsx509.h.  Created, used and destroyed in the
 * main thread with the BQL; a loaded object never changes afterwards.
 */
#ifndef QCORE_CRYPTO_TLSCREDS_H
#define QCORE_CRYPTO_TLSCREDS_H

#include "qcore/object.h"

#define TYPE_QCRYPTO_TLS_CREDS "tls-creds"
#define TYPE_QCRYPTO_TLS_CREDS_ANON "tls-creds-anon"
#define TYPE_QCRYPTO_TLS_CREDS_X509 "tls-creds-x509"

/* The files in dir= (QEMU's names). */
#define QCRYPTO_TLS_CREDS_DH_PARAMS "dh-params.pem"
#define QCRYPTO_TLS_CREDS_X509_CA_CERT "ca-cert.pem"
#define QCRYPTO_TLS_CREDS_X509_CA_CRL "ca-crl.pem"
#define QCRYPTO_TLS_CREDS_X509_SERVER_KEY "server-key.pem"
#define QCRYPTO_TLS_CREDS_X509_SERVER_CERT "server-cert.pem"
#define QCRYPTO_TLS_CREDS_X509_CLIENT_KEY "client-key.pem"
#define QCRYPTO_TLS_CREDS_X509_CLIENT_CERT "client-cert.pem"

typedef enum QCryptoTLSCredsEndpoint {
    QCRYPTO_TLS_CREDS_ENDPOINT_CLIENT,
    QCRYPTO_TLS_CREDS_ENDPOINT_SERVER,
} QCryptoTLSCredsEndpoint;

typedef struct QCryptoTLSCreds QCryptoTLSCreds;

#define QCRYPTO_TLS_CREDS(obj) \
    OBJECT_CHECK(QCryptoTLSCreds, (obj), TYPE_QCRYPTO_TLS_CREDS)

/*
 * False with QEMU's "Expected TLS credentials for a server endpoint" (or
 * client) when @creds were made for the other end.
 */
bool qcrypto_tls_creds_check_endpoint(QCryptoTLSCreds *creds,
                                      QCryptoTLSCredsEndpoint endpoint,
                                      Error **errp);
bool qcrypto_tls_creds_is_x509(QCryptoTLSCreds *creds);
bool qcrypto_tls_creds_is_anon(QCryptoTLSCreds *creds);
/* verify-peer: whether the peer must present a certificate we trust. */
bool qcrypto_tls_creds_verify_peer(QCryptoTLSCreds *creds);

#endif
