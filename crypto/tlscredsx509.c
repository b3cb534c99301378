/*
 * tls-creds-x509: certificates from dir= (ca-cert.pem, server-cert.pem,
 * server-key.pem, optional ca-crl.pem and dh-params.pem; client-* for a
 * client), checked at load time unless sanity-check=off.  Corresponds to
 * QEMU's crypto/tlscredsx509.c (no passwordid= here: keys are unencrypted).
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/module.h"
#include "tlscredspriv.h"
#include <gnutls/x509.h>

#define MAX_CA_CERTS 16

static bool x509_check_times(gnutls_x509_crt_t cert, const char *path,
                             Error **errp)
{
    time_t now = time(NULL);

    if (gnutls_x509_crt_get_expiration_time(cert) < now) {
        error_setg(errp, "The certificate %s has expired", path);
        return false;
    }
    if (gnutls_x509_crt_get_activation_time(cert) > now) {
        error_setg(errp, "The certificate %s is not yet active", path);
        return false;
    }
    return true;
}

static bool x509_import_file(const char *path, gnutls_x509_crt_t *certs,
                             unsigned *n, Error **errp)
{
    g_autofree char *data = NULL;
    gsize len;
    gnutls_datum_t d;

    if (!g_file_get_contents(path, &data, &len, NULL)) {
        error_setg(errp, "Cannot load CA certificate list %s", path);
        return false;
    }
    d.data = (unsigned char *)data;
    d.size = len;
    if (gnutls_x509_crt_list_import(certs, n, &d, GNUTLS_X509_FMT_PEM, 0) < 0
        || *n == 0) {
        *n = 0;
        return false;
    }
    return true;
}

/*
 * What QEMU checks before it serves with a certificate, so that a bad
 * one fails at start-up instead of in every client's handshake: dates,
 * that the CA is a CA and ours is not, and that ours verifies against
 * the CA.
 */
static bool x509_sanity_check(QCryptoTLSCreds *creds, bool is_server,
                              const char *cacert, const char *certfile,
                              Error **errp)
{
    gnutls_x509_crt_t cas[MAX_CA_CERTS], cert[1];
    unsigned ncas = MAX_CA_CERTS, ncert = 1, status = 0;
    unsigned critical = 0;
    bool ok = false;
    const char *reason = NULL;

    if (!x509_import_file(cacert, cas, &ncas, NULL)) {
        error_setg(errp, "Unable to import CA certificate list %s", cacert);
        return false;
    }
    if (certfile && !x509_import_file(certfile, cert, &ncert, NULL)) {
        error_setg(errp, "Unable to import certificate %s", certfile);
        goto out;
    }
    for (unsigned i = 0; i < ncas; i++) {
        if (!x509_check_times(cas[i], cacert, errp)) {
            goto out;
        }
        if (gnutls_x509_crt_get_basic_constraints(cas[i], &critical, NULL,
                                                  NULL) <= 0) {
            error_setg(errp, "The certificate %s basic constraints do not "
                       "show a CA", cacert);
            goto out;
        }
    }
    if (certfile) {
        if (!x509_check_times(cert[0], certfile, errp)) {
            goto out;
        }
        if (gnutls_x509_crt_get_basic_constraints(cert[0], &critical, NULL,
                                                  NULL) > 0) {
            error_setg(errp, "The certificate %s basic constraints show a "
                       "CA, but we need one for a %s", certfile,
                       is_server ? "server" : "client");
            goto out;
        }
        if (gnutls_x509_crt_list_verify(cert, 1, cas, ncas, NULL, 0, 0,
                                        &status) < 0) {
            error_setg(errp, "Unable to verify certificate %s", certfile);
            goto out;
        }
        reason = qcrypto_tls_cert_status_reason(status);
        if (reason) {
            error_setg(errp, "Our own certificate %s failed validation "
                       "against %s: %s", certfile, cacert, reason);
            goto out;
        }
    }
    ok = true;
out:
    for (unsigned i = 0; i < ncas; i++) {
        gnutls_x509_crt_deinit(cas[i]);
    }
    if (certfile && ncert) {
        gnutls_x509_crt_deinit(cert[0]);
    }
    return ok;
}

static bool x509_load(QCryptoTLSCreds *creds, Error **errp)
{
    bool server = creds->endpoint == QCRYPTO_TLS_CREDS_ENDPOINT_SERVER;
    g_autofree char *cacert = NULL, *cacrl = NULL, *cert = NULL;
    g_autofree char *key = NULL, *dhparams = NULL;
    int ret;

    if (!creds->dir) {
        error_setg(errp, "Missing 'dir' property value");
        return false;
    }
    /* The order of QEMU's checks, so the same file is named first. */
    if (!qcrypto_tls_creds_get_path(creds, QCRYPTO_TLS_CREDS_X509_CA_CERT,
                                    true, &cacert, errp) ||
        !qcrypto_tls_creds_get_path(creds, QCRYPTO_TLS_CREDS_X509_CA_CRL,
                                    false, &cacrl, errp) ||
        !qcrypto_tls_creds_get_path(creds, server ?
                                    QCRYPTO_TLS_CREDS_X509_SERVER_CERT :
                                    QCRYPTO_TLS_CREDS_X509_CLIENT_CERT,
                                    server, &cert, errp) ||
        !qcrypto_tls_creds_get_path(creds, server ?
                                    QCRYPTO_TLS_CREDS_X509_SERVER_KEY :
                                    QCRYPTO_TLS_CREDS_X509_CLIENT_KEY,
                                    server, &key, errp) ||
        (server &&
         !qcrypto_tls_creds_get_path(creds, QCRYPTO_TLS_CREDS_DH_PARAMS,
                                     false, &dhparams, errp))) {
        return false;
    }
    if (creds->sanity_check &&
        !x509_sanity_check(creds, server, cacert, cert, errp)) {
        return false;
    }
    ret = gnutls_certificate_allocate_credentials(&creds->x509);
    if (ret < 0) {
        error_setg(errp, "Cannot allocate credentials: '%s'",
                   gnutls_strerror(ret));
        return false;
    }
    ret = gnutls_certificate_set_x509_trust_file(creds->x509, cacert,
                                                 GNUTLS_X509_FMT_PEM);
    if (ret < 0) {
        error_setg(errp, "Cannot load CA certificate '%s': %s", cacert,
                   gnutls_strerror(ret));
        return false;
    }
    if (cert && key) {
        ret = gnutls_certificate_set_x509_key_file(creds->x509, cert, key,
                                                   GNUTLS_X509_FMT_PEM);
        if (ret < 0) {
            error_setg(errp, "Cannot load certificate '%s' & key '%s': %s",
                       cert, key, gnutls_strerror(ret));
            return false;
        }
    }
    if (cacrl) {
        ret = gnutls_certificate_set_x509_crl_file(creds->x509, cacrl,
                                                   GNUTLS_X509_FMT_PEM);
        if (ret < 0) {
            error_setg(errp, "Cannot load CRL '%s': %s", cacrl,
                       gnutls_strerror(ret));
            return false;
        }
    }
    if (server) {
        if (!qcrypto_tls_creds_get_dh_params(creds, dhparams, errp)) {
            return false;
        }
        if (creds->dh_params) {
            gnutls_certificate_set_dh_params(creds->x509, creds->dh_params);
        } else {
            gnutls_certificate_set_known_dh_params(creds->x509,
                                                   GNUTLS_SEC_PARAM_MEDIUM);
        }
    }
    return true;
}

static bool x509_get_sanity_check(Object *obj, Error **errp)
{
    return QCRYPTO_TLS_CREDS(obj)->sanity_check;
}

static void x509_set_sanity_check(Object *obj, bool value, Error **errp)
{
    QCRYPTO_TLS_CREDS(obj)->sanity_check = value;
}

static void x509_init(Object *obj)
{
    QCRYPTO_TLS_CREDS(obj)->sanity_check = true;
}

static void x509_class_init(ObjectClass *oc, const void *data)
{
    QCRYPTO_TLS_CREDS_CLASS(oc)->load = x509_load;
    object_class_property_add_bool(oc, "sanity-check", x509_get_sanity_check,
                                   x509_set_sanity_check);
}

static const TypeInfo tls_creds_x509_info = {
    .name = TYPE_QCRYPTO_TLS_CREDS_X509,
    .parent = TYPE_QCRYPTO_TLS_CREDS,
    .instance_init = x509_init,
    .class_init = x509_class_init,
};

static void tls_creds_x509_register_types(void)
{
    type_register_static(&tls_creds_x509_info);
}

type_init(tls_creds_x509_register_types)
