/*
 * The abstract tls-creds object: its properties (dir, endpoint,
 * verify-peer, priority) and the loading of the concrete kinds when
 * -object completes them.  Corresponds to QEMU's crypto/tlscreds.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/object-interfaces.h"
#include "qcore/module.h"
#include "qapi/util.h"
#include "tlscredspriv.h"

static const char *const endpoint_names[] = { "client", "server" };
static const QEnumLookup endpoint_lookup = {
    .array = endpoint_names, .size = 2,
};

bool qcrypto_tls_creds_get_path(QCryptoTLSCreds *creds, const char *filename,
                                bool required, char **path, Error **errp)
{
    *path = NULL;
    if (!creds->dir) {
        if (required) {
            error_setg(errp, "Missing 'dir' property value");
            return false;
        }
        return true;
    }
    *path = g_strdup_printf("%s/%s", creds->dir, filename);
    if (access(*path, R_OK) < 0) {
        bool ok = errno == ENOENT && !required;

        if (!ok) {
            error_setg_errno(errp, errno, "Unable to access credentials %s",
                             *path);
        }
        g_clear_pointer(path, g_free);
        return ok;
    }
    return true;
}

bool qcrypto_tls_creds_get_dh_params(QCryptoTLSCreds *creds,
                                     const char *path, Error **errp)
{
    g_autofree char *data = NULL;
    gsize len;
    gnutls_datum_t d;
    int ret;

    if (!path) {
        /*
         * QEMU generates 2048-bit parameters here, which takes seconds;
         * gnutls' known RFC 7919 group (set by the caller) is as strong
         * and costs nothing.
         */
        return true;
    }
    ret = gnutls_dh_params_init(&creds->dh_params);
    if (ret < 0) {
        error_setg(errp, "Unable to initialize DH parameters: %s",
                   gnutls_strerror(ret));
        return false;
    }
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        error_setg(errp, "Unable to read DH parameters %s", path);
        return false;
    }
    d.data = (unsigned char *)data;
    d.size = len;
    ret = gnutls_dh_params_import_pkcs3(creds->dh_params, &d,
                                        GNUTLS_X509_FMT_PEM);
    if (ret < 0) {
        error_setg(errp, "Unable to load DH parameters from %s: %s",
                   path, gnutls_strerror(ret));
        return false;
    }
    return true;
}

bool qcrypto_tls_creds_check_endpoint(QCryptoTLSCreds *creds,
                                      QCryptoTLSCredsEndpoint endpoint,
                                      Error **errp)
{
    if (creds->endpoint != endpoint) {
        error_setg(errp, "Expected TLS credentials for a %s endpoint",
                   endpoint_names[endpoint]);
        return false;
    }
    return true;
}

bool qcrypto_tls_creds_is_x509(QCryptoTLSCreds *creds)
{
    return object_dynamic_cast(OBJECT(creds), TYPE_QCRYPTO_TLS_CREDS_X509);
}

bool qcrypto_tls_creds_is_anon(QCryptoTLSCreds *creds)
{
    return object_dynamic_cast(OBJECT(creds), TYPE_QCRYPTO_TLS_CREDS_ANON);
}

bool qcrypto_tls_creds_verify_peer(QCryptoTLSCreds *creds)
{
    return creds->verify_peer;
}

/* ---- properties -------------------------------------------------------- */

static char *creds_get_dir(Object *obj, Error **errp)
{
    return g_strdup(QCRYPTO_TLS_CREDS(obj)->dir);
}

static void creds_set_dir(Object *obj, const char *value, Error **errp)
{
    QCryptoTLSCreds *creds = QCRYPTO_TLS_CREDS(obj);

    g_free(creds->dir);
    creds->dir = g_strdup(value);
}

static char *creds_get_priority(Object *obj, Error **errp)
{
    return g_strdup(QCRYPTO_TLS_CREDS(obj)->priority);
}

static void creds_set_priority(Object *obj, const char *value, Error **errp)
{
    QCryptoTLSCreds *creds = QCRYPTO_TLS_CREDS(obj);

    g_free(creds->priority);
    creds->priority = g_strdup(value);
}

static bool creds_get_verify_peer(Object *obj, Error **errp)
{
    return QCRYPTO_TLS_CREDS(obj)->verify_peer;
}

static void creds_set_verify_peer(Object *obj, bool value, Error **errp)
{
    QCRYPTO_TLS_CREDS(obj)->verify_peer = value;
}

static int creds_get_endpoint(Object *obj, Error **errp)
{
    return QCRYPTO_TLS_CREDS(obj)->endpoint;
}

static void creds_set_endpoint(Object *obj, int value, Error **errp)
{
    QCRYPTO_TLS_CREDS(obj)->endpoint = value;
}

/* The kinds load their files here, so a bad one fails -object itself. */
static void creds_complete(UserCreatable *uc, Error **errp)
{
    QCryptoTLSCreds *creds = QCRYPTO_TLS_CREDS(uc);

    creds->loaded = QCRYPTO_TLS_CREDS_GET_CLASS(creds)->load(creds, errp);
}

static void creds_init(Object *obj)
{
    QCryptoTLSCreds *creds = QCRYPTO_TLS_CREDS(obj);

    creds->verify_peer = true;          /* QEMU's default */
    creds->endpoint = QCRYPTO_TLS_CREDS_ENDPOINT_CLIENT;
}

static void creds_finalize(Object *obj)
{
    QCryptoTLSCreds *creds = QCRYPTO_TLS_CREDS(obj);

    if (creds->anon_server) {
        gnutls_anon_free_server_credentials(creds->anon_server);
    }
    if (creds->anon_client) {
        gnutls_anon_free_client_credentials(creds->anon_client);
    }
    if (creds->x509) {
        gnutls_certificate_free_credentials(creds->x509);
    }
    if (creds->dh_params) {
        gnutls_dh_params_deinit(creds->dh_params);
    }
    g_free(creds->dir);
    g_free(creds->priority);
}

static void creds_class_init(ObjectClass *oc, const void *data)
{
    USER_CREATABLE_CLASS(oc)->complete = creds_complete;
    object_class_property_add_bool(oc, "verify-peer", creds_get_verify_peer,
                                   creds_set_verify_peer);
    object_class_property_add_str(oc, "dir", creds_get_dir, creds_set_dir);
    object_class_property_add_enum(oc, "endpoint", "QCryptoTLSCredsEndpoint",
                                   &endpoint_lookup, creds_get_endpoint,
                                   creds_set_endpoint);
    object_class_property_add_str(oc, "priority", creds_get_priority,
                                  creds_set_priority);
}

static const TypeInfo tls_creds_info = {
    .name = TYPE_QCRYPTO_TLS_CREDS,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(QCryptoTLSCreds),
    .instance_init = creds_init,
    .instance_finalize = creds_finalize,
    .class_size = sizeof(QCryptoTLSCredsClass),
    .class_init = creds_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { NULL }
    },
};

static void tls_creds_register_types(void)
{
    type_register_static(&tls_creds_info);
}

type_init(tls_creds_register_types)

const char *qcrypto_tls_cert_status_reason(unsigned int status)
{
    const char *reason = NULL;

    if (status & GNUTLS_CERT_INVALID) {
        reason = "The certificate is not trusted";
    }
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
        reason = "The certificate hasn't got a known issuer";
    }
    if (status & GNUTLS_CERT_REVOKED) {
        reason = "The certificate has been revoked";
    }
    if (status & GNUTLS_CERT_INSECURE_ALGORITHM) {
        reason = "The certificate uses an insecure algorithm";
    }
    return reason;
}
